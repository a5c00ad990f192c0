import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const ENROLMENT_STATUSES = ['pending', 'confirmed', 'waitlisted', 'offered', 'withdrawn', 'cancelled', 'declined', 'lapsed'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/** The key that makes "one active enrolment per resident and course" a unique index. */
export const activeKeyOf = (course: string, resident: string) => `${course}:${resident}`;

// A resident's place in a course. `pending` only while a seat is being claimed; `offered` while
// a freed seat is held for a waiting resident until offerExpiresAt (the seat document holds the
// place; see server/courses/service/offers.ts); `declined` and `lapsed` end an offer. Waitlist
// positions are derived from the order of waiting enrolments (createdAt, _id), never stored.
// A withdrawn enrolment gets its activeKey suffixed with its own _id, which frees the key for
// a later re-enrolment (FerretDB refuses partial unique indexes).
const enrolmentSchema = new Schema({
  course: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
  resident: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  activeKey: { type: String, required: true },
  status: { type: String, enum: ENROLMENT_STATUSES, default: 'pending' },
  // Copied for lists and sign-in sheets (no populate).
  residentName: { type: String, default: '' },
  residentPhone: { type: String, default: '' },
  courseTitle: { type: String, default: '' },
  center: { type: Schema.Types.ObjectId, ref: 'Center' },
  source: { type: String, enum: ['self', 'desk'], default: 'self' },
  createdAt: { type: Date, default: () => new Date() },
  confirmedAt: { type: Date, default: null },
  offeredAt: { type: Date, default: null },
  offerExpiresAt: { type: Date, default: null },
  endedAt: { type: Date, default: null },
});

enrolmentSchema.index({ activeKey: 1 }, { unique: true });
enrolmentSchema.index({ course: 1, status: 1, createdAt: 1 });
enrolmentSchema.index({ resident: 1, createdAt: -1 });

export type EnrolmentDoc = InferSchemaType<typeof enrolmentSchema> & { _id: Types.ObjectId };
export const Enrolment = mongoose.model('Enrolment', enrolmentSchema);
