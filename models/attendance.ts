import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// Present at one session. Unique per (session, resident): a QR token or roll call can mark a
// resident present once; a second check-in is refused by the index.
const attendanceSchema = new Schema({
  course: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
  session: { type: Schema.Types.ObjectId, required: true },
  resident: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  residentName: { type: String, default: '' },
  method: { type: String, enum: ['qr', 'roll'], required: true },
  by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  at: { type: Date, default: () => new Date() },
});

attendanceSchema.index({ session: 1, resident: 1 }, { unique: true });
attendanceSchema.index({ course: 1, resident: 1 });

export type AttendanceDoc = InferSchemaType<typeof attendanceSchema> & { _id: Types.ObjectId };
export const Attendance = mongoose.model('Attendance', attendanceSchema);
