import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// The piece-work ledger: append-only. Nothing is edited or deleted; a mistake is fixed by a
// correction entry (kind 'correction', `corrects` → original) whose quantities are deltas.
// `idempotencyKey` is unique: a resubmitted form can never count twice.
const ledgerEntrySchema = new Schema(
  {
    idempotencyKey: { type: String, required: true, maxlength: 100 },
    workshop: { type: Schema.Types.ObjectId, ref: 'Workshop', required: true },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    worker: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    workerName: { type: String, required: true },
    task: { type: Schema.Types.ObjectId, ref: 'Task', required: true },
    taskName: { type: String, required: true },
    unit: { type: String, required: true },
    order: { type: Schema.Types.ObjectId, ref: 'Order', default: null },
    batch: { type: Schema.Types.ObjectId, ref: 'Batch', default: null },
    kind: { type: String, enum: ['work', 'correction'], default: 'work' },
    corrects: { type: Schema.Types.ObjectId, ref: 'LedgerEntry', default: null },
    reason: { type: String, default: '' },
    // The day the work was done (yyyy-mm-dd, Asia/Shanghai) and the pay period it counts in.
    date: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    period: { type: String, required: true, match: /^\d{4}-\d{2}$/ },
    // Set on a correction of an entry whose period was already closed.
    forClosedPeriod: { type: String, default: '' },
    counted: { type: Number, required: true, validate: Number.isInteger },
    rejected: { type: Number, required: true, validate: Number.isInteger },
    accepted: { type: Number, required: true, validate: Number.isInteger },
    // Copied from the task when logged; amountFen = accepted × rateFen.
    rateFen: { type: Number, required: true, min: 0, validate: Number.isInteger },
    amountFen: { type: Number, required: true, validate: Number.isInteger },
    note: { type: String, default: '', maxlength: 300 },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    createdByName: { type: String, required: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

ledgerEntrySchema.index({ idempotencyKey: 1 }, { unique: true });
ledgerEntrySchema.index({ workshop: 1, period: 1 });
ledgerEntrySchema.index({ worker: 1, date: -1 });

ledgerEntrySchema.pre('validate', function () {
  if (this.accepted !== this.counted - this.rejected) this.invalidate('accepted', 'accepted = counted − rejected');
  if (this.amountFen !== this.accepted * this.rateFen) this.invalidate('amountFen', 'amount = accepted × rate');
});

export type LedgerEntryDoc = InferSchemaType<typeof ledgerEntrySchema> & { _id: Types.ObjectId };
export const LedgerEntry = mongoose.model('LedgerEntry', ledgerEntrySchema);
