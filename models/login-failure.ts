import mongoose, { Schema } from 'mongoose';

// One document per failed login on a phone number within a time window, under the id
// `<phone>:<window>:<n>` with n in 1..limit: claiming the n-th slot is an insert under the _id
// index, so concurrent guesses cannot lose a count (FerretDB updates are not atomic, docs/ARCHITECTURE.md),
// and "locked" is a single _id read of slot `limit`. Old windows are swept by a periodic job.
const loginFailureSchema = new Schema(
  {
    _id: { type: String, required: true },
    phone: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const LoginFailure = mongoose.model('LoginFailure', loginFailureSchema);
