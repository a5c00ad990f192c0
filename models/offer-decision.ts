import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const OFFER_OUTCOMES = ['accepted', 'declined', 'lapsed', 'cancelled'] as const;
export type OfferOutcome = (typeof OFFER_OUTCOMES)[number];

// How a waitlist offer ended, one per offered enrolment (_id = the enrolment's id). Accepting,
// declining and lapsing can happen at the same moment; whichever inserts its decision first
// wins under the _id index (FerretDB's updates are read-then-write, inserts are not), and the
// writes that follow (enrolment status, the held seat) are replayed from it after a crash.
const offerDecisionSchema = new Schema({
  _id: { type: String, required: true },
  course: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
  outcome: { type: String, enum: OFFER_OUTCOMES, required: true },
  at: { type: Date, default: () => new Date() },
});

export type OfferDecisionDoc = InferSchemaType<typeof offerDecisionSchema>;
export const OfferDecision = mongoose.model('OfferDecision', offerDecisionSchema);
