import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// One accepted seat of a posting. slotNo runs 1..headcount under a unique index, so the
// database refuses the (headcount+1)th accept even when many arrive at once (docs/ARCHITECTURE.md).
const postingSlotSchema = new Schema({
  posting: { type: Schema.Types.ObjectId, ref: 'Posting', required: true },
  slotNo: { type: Number, required: true, min: 1 },
  application: { type: Schema.Types.ObjectId, ref: 'Application', required: true },
  at: { type: Date, default: () => new Date() },
});

postingSlotSchema.index({ posting: 1, slotNo: 1 }, { unique: true });
postingSlotSchema.index({ application: 1 }, { unique: true });

export type PostingSlotDoc = InferSchemaType<typeof postingSlotSchema> & { _id: Types.ObjectId };
export const PostingSlot = mongoose.model('PostingSlot', postingSlotSchema);
