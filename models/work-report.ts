import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// A worker's own count (自报数量): pending until staff confirm it, which appends a ledger entry
// with idempotency key `report:<id>` (so confirming twice counts once), or decline it.
const workReportSchema = new Schema(
  {
    idempotencyKey: { type: String, required: true, maxlength: 100 },
    workshop: { type: Schema.Types.ObjectId, ref: 'Workshop', required: true },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    worker: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    workerName: { type: String, required: true },
    task: { type: Schema.Types.ObjectId, ref: 'Task', required: true },
    taskName: { type: String, required: true },
    unit: { type: String, required: true },
    counted: { type: Number, required: true, min: 1, validate: Number.isInteger },
    date: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    note: { type: String, default: '', maxlength: 300 },
    status: { type: String, enum: ['pending', 'confirmed', 'declined'], default: 'pending' },
    entry: { type: Schema.Types.ObjectId, ref: 'LedgerEntry', default: null },
    reply: { type: String, default: '' },
    decidedBy: { type: String, default: '' },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

workReportSchema.index({ idempotencyKey: 1 }, { unique: true });
workReportSchema.index({ workshop: 1, status: 1 });

export type WorkReportDoc = InferSchemaType<typeof workReportSchema> & { _id: Types.ObjectId };
export const WorkReport = mongoose.model('WorkReport', workReportSchema);
