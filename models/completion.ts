import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// A resident completed a course. Issued when staff complete the course; the workshops'
// training gate reads these (server/courses/completion.ts).
const completionSchema = new Schema({
  resident: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  course: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
  category: { type: String, required: true },
  center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
  // Copied so a certificate renders without joins.
  residentName: { type: String, required: true },
  courseTitle: { type: String, required: true },
  centerName: { type: String, required: true },
  hours: { type: Number, required: true, min: 0 },
  attendedPercent: { type: Number, required: true, min: 0, max: 100 },
  // Public verification code printed on the certificate.
  code: { type: String, required: true },
  issuedAt: { type: Date, default: () => new Date() },
});

completionSchema.index({ resident: 1, course: 1 }, { unique: true });
completionSchema.index({ code: 1 }, { unique: true });
completionSchema.index({ resident: 1, category: 1 });

export type CompletionDoc = InferSchemaType<typeof completionSchema> & { _id: Types.ObjectId };
export const Completion = mongoose.model('Completion', completionSchema);
