import mongoose, { Schema, type Types } from 'mongoose';

// Who holds a seat of one course and who waits for one, in order (_id = the course's id). A
// derived record, read by `_id` so that enrolling, withdrawing, offering a freed seat and
// checking in cost the same in a center's tenth year as in its first (FerretDB reads a whole
// collection for any other query). The seats themselves stay the truth: capacity rests on the
// unique {course, seatNo} index of the seat documents, and a roll that lags behind them (a crash
// between the two writes) is rebuilt from them (server/courses/service/roll.ts). Written only
// inside the course's queue (server/store/queues.ts), so its read-then-write never races itself.
const rollSchema = new Schema({
  _id: { type: Schema.Types.ObjectId, required: true },
  // One entry per seat document of the course: its number, its enrolment, resident and _id.
  seats: [{ _id: false, n: Number, e: Schema.Types.ObjectId, r: Schema.Types.ObjectId, id: Schema.Types.Mixed }],
  // Waiting enrolments in the order they joined (position = index + 1).
  waiting: [{ _id: false, e: Schema.Types.ObjectId, r: Schema.Types.ObjectId }],
});

export interface RollSeat {
  n: number;
  e: Types.ObjectId;
  r: Types.ObjectId;
  /** The seat document's `_id`: `<course>:<n>`, or an ObjectId for seats stored before numbered slots. */
  id: string | Types.ObjectId;
}
export interface RollWaiting {
  e: Types.ObjectId;
  r: Types.ObjectId;
}
export interface RollDoc {
  _id: Types.ObjectId;
  seats: RollSeat[];
  waiting: RollWaiting[];
}
export const CourseRoll = mongoose.model('CourseRoll', rollSchema);
