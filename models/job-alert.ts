import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// A resident's saved search ("tell me about new jobs like these"). The _id is
// `<userId>:<slot>` with slot 1..MAX_ALERTS: inserting under the _id index is what keeps the
// per-resident limit under concurrency, and a resident's alerts are read by _id alone.
// Empty strings mean "any"; minPayFen is in payType's unit, or a day's pay when payType is empty
// (as in the gig search, server/gigs/service/search.ts).
const jobAlertSchema = new Schema(
  {
    _id: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    slot: { type: Number, required: true, min: 1 },
    center: { type: String, default: '' },
    category: { type: String, default: '' },
    q: { type: String, default: '', maxlength: 50 },
    tag: { type: String, default: '' },
    payType: { type: String, default: '' },
    minPayFen: { type: Number, default: 0 },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

export type JobAlertDoc = InferSchemaType<typeof jobAlertSchema>;
export const JobAlert = mongoose.model('JobAlert', jobAlertSchema);
