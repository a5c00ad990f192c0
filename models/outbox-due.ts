import mongoose, { Schema } from 'mongoose';

// The messages still to send, one document per queued message (_id = the message's _id), removed
// once it is sent or given up. The sender scans this small collection instead of the whole
// outbox history (FerretDB reads a whole collection for any query but a lone _id match).
// It is written before the message itself: a due entry whose message never arrived is dropped
// by the sender; a message without a due entry would never go out.
const outboxDueSchema = new Schema(
  {
    _id: { type: String, required: true },
    dueAt: { type: Date, required: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

export const OutboxDue = mongoose.model('OutboxDue', outboxDueSchema);
