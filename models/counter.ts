import mongoose, { Schema } from 'mongoose';

// Summary numbers under deterministic ids (e.g. `unread:<user>`), read by _id and
// changed with $inc through one in-process queue per key (server/store/queues.ts).
const counterSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Number, default: 0 },
  },
  { versionKey: false },
);

export const Counter = mongoose.model('Counter', counterSchema);
