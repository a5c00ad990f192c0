import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// A piece-rate task of a workshop. Changing `rateFen` affects only entries logged afterwards:
// every ledger entry copies the rate it was logged at.
const taskSchema = new Schema(
  {
    workshop: { type: Schema.Types.ObjectId, ref: 'Workshop', required: true },
    name: { type: String, required: true, trim: true, maxlength: 60 },
    unit: { type: String, required: true, trim: true, maxlength: 10 },
    rateFen: { type: Number, required: true, min: 0, max: 10_000_000, validate: Number.isInteger },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);

taskSchema.index({ workshop: 1, name: 1 }, { unique: true });

export type TaskDoc = InferSchemaType<typeof taskSchema> & { _id: Types.ObjectId };
export const Task = mongoose.model('Task', taskSchema);
