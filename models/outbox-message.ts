import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// cancelled: the person turned text messages off before it went out.
export const OUTBOX_STATUSES = ['queued', 'sent', 'failed', 'cancelled'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

// One message to send on a channel other than the site itself (today: SMS). The _id is the
// idempotency key (`sms:<key>`, the key being the notification's id or the caller's own, e.g.
// `reminder:<session>:<resident>`), so inserting it is what makes a message exist once: a second
// notify with the same key changes nothing. The text is rendered when queued, in the recipient's
// language, so staff see exactly what went out. `center` is the recipient's home center then, for
// the staff page's scope.
const outboxMessageSchema = new Schema(
  {
    _id: { type: String, required: true },
    channel: { type: String, enum: ['sms'], required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    center: { type: Schema.Types.ObjectId, ref: 'Center', required: true },
    to: { type: String, required: true },
    lang: { type: String, required: true },
    type: { type: String, required: true },
    text: { type: String, required: true },
    status: { type: String, enum: OUTBOX_STATUSES, default: 'queued' },
    // Attempts finished (sent, failed or interrupted); attempt n is claimed as `<_id>#<n>`.
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, default: () => new Date() },
    lastError: { type: String, default: '' },
    sentAt: { type: Date, default: null },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

outboxMessageSchema.index({ center: 1, createdAt: -1 });

export type OutboxMessageDoc = InferSchemaType<typeof outboxMessageSchema>;
export const OutboxMessage = mongoose.model('OutboxMessage', outboxMessageSchema);
