import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

// Append-only record of every staff and admin decision.
const auditEntrySchema = new Schema({
  at: { type: Date, default: () => new Date(), required: true },
  actor: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  actorName: { type: String, required: true },
  actorRole: { type: String, required: true },
  action: { type: String, required: true },
  targetType: { type: String, required: true },
  targetId: { type: String, required: true },
  center: { type: Schema.Types.ObjectId, ref: 'Center', default: null },
  // Plain strings only: shown escaped in the admin page.
  details: { type: Map, of: String, default: {} },
});

auditEntrySchema.index({ at: -1 });
auditEntrySchema.index({ targetType: 1, targetId: 1 });

export type AuditEntryDoc = InferSchemaType<typeof auditEntrySchema> & { _id: Types.ObjectId };
export const AuditEntry = mongoose.model('AuditEntry', auditEntrySchema);
