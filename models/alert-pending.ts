import mongoose, { Schema } from 'mongoose';

// A published posting whose alerts have not been matched yet (_id: the posting id). Written in
// the publishing request, removed when matching is done; the repair job matches whatever is
// left behind (a crash, a failed write), so no publication is forgotten. Usually empty.
const alertPendingSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

export const AlertPending = mongoose.model('AlertPending', alertPendingSchema);
