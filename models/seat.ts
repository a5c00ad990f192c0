import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// A confirmed seat, or one held for an open waitlist offer. Claimed by inserting {course, seatNo} with seatNo in 1..capacity: the
// unique indexes (not a counter) keep a course from overbooking and an enrolment from
// holding two seats, also on FerretDB where updates are not atomic (docs/ARCHITECTURE.md, "The database engine").
const seatSchema = new Schema({
  // `<course>:<seatNo>` (server/store/slots.ts); seats stored before numbered slots keep their ObjectId.
  _id: { type: Schema.Types.Mixed, required: true },
  course: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
  seatNo: { type: Number, required: true, min: 1 },
  enrolment: { type: Schema.Types.ObjectId, ref: 'Enrolment', required: true },
  resident: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  at: { type: Date, default: () => new Date() },
  // Set while the seat is held for a waitlist offer, cleared when it is accepted: an open offer
  // takes a seat like a confirmed place, so confirmed + offered can never pass capacity.
  offerExpiresAt: { type: Date, default: null },
});

seatSchema.index({ course: 1, seatNo: 1 }, { unique: true });
seatSchema.index({ enrolment: 1 }, { unique: true });

export type SeatDoc = InferSchemaType<typeof seatSchema> & { _id: string | Types.ObjectId };
export const Seat = mongoose.model('Seat', seatSchema);
