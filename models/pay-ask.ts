import mongoose, { Schema } from 'mongoose';

// "Asked about pay" flags: _id is `<posting>:<worker>`, so inserting it is the idempotent claim
// that the after-the-job notification goes out once, across restarts and app nodes.
const payAskSchema = new Schema({
  _id: { type: String, required: true },
  at: { type: Date, default: () => new Date() },
});

export const PayAsk = mongoose.model('PayAsk', payAskSchema);
