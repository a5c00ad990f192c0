import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// A closed pay period (one month) of a workshop, under `p:<workshop>:<yyyy-mm>`: its existence
// is what closes the month (a unique _id, so closing twice is harmless). Statements are
// computed from the ledger when closing and never change; only payment marks are added.
const statementSchema = new Schema(
  {
    worker: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    name: { type: String, required: true },
    phone: { type: String, default: '' },
    counted: { type: Number, required: true },
    rejected: { type: Number, required: true },
    accepted: { type: Number, required: true },
    amountFen: { type: Number, required: true },
    entries: { type: Number, required: true },
    paidAt: { type: String, default: '' },
    method: { type: String, enum: ['', 'cash', 'bank', 'wechat', 'alipay'], default: '' },
    paidBy: { type: String, default: '' },
  },
  { _id: false },
);

const payPeriodSchema = new Schema(
  {
    _id: { type: String, required: true },
    workshop: { type: Schema.Types.ObjectId, ref: 'Workshop', required: true },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    month: { type: String, required: true, match: /^\d{4}-\d{2}$/ },
    closedAt: { type: Date, default: () => new Date() },
    closedBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    closedByName: { type: String, required: true },
    accepted: { type: Number, required: true },
    amountFen: { type: Number, required: true },
    statements: { type: [statementSchema], default: [] },
  },
  { versionKey: false },
);

payPeriodSchema.index({ workshop: 1, month: 1 }, { unique: true });

export const periodId = (workshop: string, month: string) => `p:${workshop}:${month}`;

export type PayPeriodDoc = InferSchemaType<typeof payPeriodSchema>;
export const PayPeriod = mongoose.model('PayPeriod', payPeriodSchema);
