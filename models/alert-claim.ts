import mongoose, { Schema } from 'mongoose';

// "This resident has been told about this posting": _id `<userId>:<postingId>`, inserted under
// the _id index before the notification goes out, so a posting published again (reopened,
// approved after an edit) or matched by two of one person's alerts is announced once.
const alertClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

export const AlertClaim = mongoose.model('AlertClaim', alertClaimSchema);
