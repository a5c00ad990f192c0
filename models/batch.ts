import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// Take-home work (农户接单): materials for `quantity` pieces handed to a household. When the
// pieces come back, the return becomes a ledger entry with idempotency key `batch:<id>`, so
// recording the same return twice counts once.
const batchSchema = new Schema(
  {
    workshop: { type: Schema.Types.ObjectId, ref: 'Workshop', required: true },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    order: { type: Schema.Types.ObjectId, ref: 'Order', default: null },
    task: { type: Schema.Types.ObjectId, ref: 'Task', required: true },
    taskName: { type: String, required: true },
    unit: { type: String, required: true },
    worker: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    workerName: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1, validate: Number.isInteger },
    status: { type: String, enum: ['open', 'returned'], default: 'open' },
    issuedAt: { type: String, required: true },
    issuedBy: { type: String, required: true },
    returned: { type: Number, default: 0 },
    rejected: { type: Number, default: 0 },
    returnedAt: { type: String, default: '' },
    entry: { type: Schema.Types.ObjectId, ref: 'LedgerEntry', default: null },
  },
  { versionKey: false },
);

batchSchema.index({ workshop: 1, status: 1 });

export type BatchDoc = InferSchemaType<typeof batchSchema> & { _id: Types.ObjectId };
export const Batch = mongoose.model('Batch', batchSchema);
