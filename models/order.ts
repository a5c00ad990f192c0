import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// An enterprise order worked by a workshop (企业送单 → 工坊派单): progress is the accepted
// pieces logged against it, kept in the summary `o:<orderId>` (models/work-summary.ts).
const orderSchema = new Schema(
  {
    workshop: { type: Schema.Types.ObjectId, ref: 'Workshop', required: true },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    client: { type: String, required: true, trim: true, maxlength: 80 },
    task: { type: Schema.Types.ObjectId, ref: 'Task', required: true },
    taskName: { type: String, required: true },
    unit: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1, validate: Number.isInteger },
    // What the client pays per piece (workers are paid the task's rate, copied into entries).
    rateFen: { type: Number, required: true, min: 0, validate: Number.isInteger },
    deadline: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    status: { type: String, enum: ['open', 'done'], default: 'open' },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

orderSchema.index({ workshop: 1, status: 1 });

export type OrderDoc = InferSchemaType<typeof orderSchema> & { _id: Types.ObjectId };
export const Order = mongoose.model('Order', orderSchema);
