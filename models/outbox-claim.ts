import mongoose, { Schema } from 'mongoose';

// "I am making attempt n of this message": _id `<message _id>#<n>`. Inserting it under the _id
// index is the claim (updates are read-then-write on FerretDB, so a status flip could be won by
// two senders); only the sender whose insert succeeded talks to the gateway for that attempt.
// A claim whose attempt was never recorded (the process died) is taken over after a lease.
const outboxClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const OutboxClaim = mongoose.model('OutboxClaim', outboxClaimSchema);
