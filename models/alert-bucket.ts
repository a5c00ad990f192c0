import mongoose, { Schema } from 'mongoose';

// The index of job alerts by where and what: `alerts:<centerId|any>:<category|any>` lists the
// ids of the alerts saved for that center (and the centers below it) and category. Publishing
// a posting reads only the buckets of its center, that center's ancestors and "any", by _id,
// instead of scanning every alert. Changed through alertBucketQueue; rebuildable from JobAlert
// (server/alerts/buckets.ts), and a stale id in it is harmless (each alert is checked in full).
const alertBucketSchema = new Schema(
  {
    _id: { type: String, required: true },
    ids: { type: [String], default: [] },
  },
  { versionKey: false },
);

export const AlertBucket = mongoose.model('AlertBucket', alertBucketSchema);
