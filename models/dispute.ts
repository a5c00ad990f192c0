import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// A worker's answer to a day's counts: confirmed, or "the count is wrong" (数量不对) with a
// comment, which waits in the staff queue until answered. One per worker, workshop and day
// (`_id` = `d:<worker>:<workshop>:<yyyy-mm-dd>`); pressing again updates the comment.
const disputeSchema = new Schema(
  {
    _id: { type: String, required: true },
    workshop: { type: Schema.Types.ObjectId, ref: 'Workshop', required: true },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    worker: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    workerName: { type: String, required: true },
    date: { type: String, required: true },
    status: { type: String, enum: ['confirmed', 'open', 'resolved'], required: true },
    comment: { type: String, default: '', maxlength: 500 },
    reply: { type: String, default: '', maxlength: 500 },
    resolvedBy: { type: String, default: '' },
    resolvedAt: { type: Date, default: null },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

disputeSchema.index({ workshop: 1, status: 1 });

export const disputeId = (worker: string, workshop: string, date: string) => `d:${worker}:${workshop}:${date}`;

export type DisputeDoc = InferSchemaType<typeof disputeSchema> & { _id: string; worker: Types.ObjectId };
export const Dispute = mongoose.model('Dispute', disputeSchema);
