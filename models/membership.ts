import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// A resident admitted to a workshop, under the deterministic id `m:<workshop>:<resident>`,
// so joining twice is a duplicate key and membership checks read by _id.
const membershipSchema = new Schema(
  {
    _id: { type: String, required: true },
    workshop: { type: Schema.Types.ObjectId, ref: 'Workshop', required: true },
    resident: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    // Copied so lists render without joins (never the low-income flag: it is read live).
    residentName: { type: String, required: true },
    residentPhone: { type: String, required: true },
    // Admitted by staff without the training: who and why (also in the audit log).
    override: { type: Boolean, default: false },
    overrideReason: { type: String, default: '' },
    admittedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    joinedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

membershipSchema.index({ workshop: 1 });
membershipSchema.index({ resident: 1 });

export const membershipId = (workshop: string, resident: string) => `m:${workshop}:${resident}`;

export type MembershipDoc = InferSchemaType<typeof membershipSchema>;
export const Membership = mongoose.model('Membership', membershipSchema);
