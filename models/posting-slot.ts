import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// One accepted seat of a posting, under `_id` `<posting>:<slotNo>` (server/store/slots.ts)
// with slotNo in 1..headcount, so the database refuses the (headcount+1)th accept even when
// many arrive at once, and a posting's slots are read by `_id` (docs/ARCHITECTURE.md).
// Slots written before the keyed `_id`s had ObjectIds; `migrateSlotIds` (gigs/service/slot-repair.ts) rewrites them at start.
const postingSlotSchema = new Schema({
  _id: { type: String, required: true },
  posting: { type: Schema.Types.ObjectId, ref: 'Posting', required: true },
  slotNo: { type: Number, required: true, min: 1 },
  application: { type: Schema.Types.ObjectId, ref: 'Application', required: true },
  at: { type: Date, default: () => new Date() },
});

postingSlotSchema.index({ posting: 1, slotNo: 1 }, { unique: true });
postingSlotSchema.index({ application: 1 }, { unique: true });

export type PostingSlotDoc = InferSchemaType<typeof postingSlotSchema>;
export const PostingSlot = mongoose.model('PostingSlot', postingSlotSchema);
