import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const PAY_ANSWERS = ['onTime', 'late', 'unpaid'] as const;
export type PayAnswerValue = (typeof PAY_ANSWERS)[number];

// A hired worker's answer, after a job's last day, to "were you paid?" (按时发了 / 晚发了 / 没发).
// One per job and worker: `_id` = `<posting>:<worker>`, so inserting it is the one answer and a
// second insert is refused by the _id index. The only change allowed later is "not paid" →
// "paid late" (the worker was paid after all), made through the employer's record queue.
const payAnswerSchema = new Schema(
  {
    _id: { type: String, required: true },
    posting: { type: Schema.Types.ObjectId, ref: 'Posting', required: true },
    worker: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    // The employer's user id (postings name their employer by user id).
    employer: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    answer: { type: String, enum: PAY_ANSWERS, required: true },
    // Who pressed the button: the worker, or staff at the desk on the worker's behalf.
    by: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    onBehalf: { type: Boolean, default: false },
    answeredAt: { type: Date, default: () => new Date() },
    changedAt: { type: Date, default: null },
  },
  { versionKey: false },
);

// For rebuilding an employer's record (a scan on FerretDB; only repairs use it).
payAnswerSchema.index({ employer: 1 });

export const payAnswerId = (posting: string, worker: string) => `${posting}:${worker}`;

export type PayAnswerDoc = InferSchemaType<typeof payAnswerSchema> & { _id: string; posting: Types.ObjectId; worker: Types.ObjectId };
export const PayAnswer = mongoose.model('PayAnswer', payAnswerSchema);
