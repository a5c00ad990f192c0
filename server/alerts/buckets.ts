import { AlertBucket } from '../../models/alert-bucket.ts';
import { JobAlert } from '../../models/job-alert.ts';
import { alertBucketQueue } from '../store/index.ts';
import { deferredRepair } from '../scheduler.ts';
import { storeLog } from '../store/log.ts';

// The index of alerts by center and category (models/alert-bucket.ts). FerretDB reads a whole
// collection for anything but a lone _id match, so publication must never query alerts by their
// fields: it reads these buckets by _id, then each listed alert by _id.

const ANY = 'any';

export function bucketId(center: string, category: string): string {
  return `alerts:${center || ANY}:${category || ANY}`;
}

/** Every bucket a posting at `centerPath` (its center and all above) in `category` may be listed in. */
export function bucketIdsFor(centerPath: string[], category: string): string[] {
  const ids: string[] = [];
  for (const c of [...centerPath, ANY]) for (const k of [category, ANY]) ids.push(bucketId(c === ANY ? '' : c, k === ANY ? '' : k));
  return [...new Set(ids)];
}

/** Alert ids listed in the given buckets, each read by _id. */
export async function alertIdsIn(bucketIds: string[]): Promise<string[]> {
  const buckets = await Promise.all(bucketIds.map((id) => AlertBucket.findById(id, { ids: 1 }).lean()));
  return [...new Set(buckets.flatMap((b) => b?.ids ?? []))];
}

export async function listInBucket(bucket: string, alertId: string): Promise<void> {
  try {
    await alertBucketQueue.run(bucket, () => AlertBucket.updateOne({ _id: bucket }, { $addToSet: { ids: alertId } }, { upsert: true }));
  } catch (err) {
    // The alert is saved; the rebuild lists it shortly.
    storeLog().warn({ err, bucket, alertId }, 'could not list a job alert in its bucket; rebuild scheduled');
    bucketRepair.schedule();
  }
}

export async function unlistFromBucket(bucket: string, alertId: string): Promise<void> {
  // A stale id left behind is harmless: matching reads the alert and finds it gone or changed.
  await alertBucketQueue.run(bucket, () => AlertBucket.updateOne({ _id: bucket }, { $pull: { ids: alertId } })).catch(() => bucketRepair.schedule());
}

/**
 * Rewrites every bucket from the alerts themselves (the truth). Reads all alerts and buckets:
 * a repair, run after a failed bucket write, never on a request.
 */
export async function rebuildBuckets(): Promise<{ buckets: number; alerts: number }> {
  const alerts = await JobAlert.find({}, { center: 1, category: 1 }).lean();
  const want = new Map<string, string[]>();
  for (const a of alerts) {
    const id = bucketId(a.center, a.category);
    want.set(id, [...(want.get(id) ?? []), a._id]);
  }
  const existing = await AlertBucket.find({}, { _id: 1 }).lean();
  for (const b of existing) if (!want.has(b._id)) await alertBucketQueue.run(b._id, () => AlertBucket.deleteOne({ _id: b._id }));
  for (const [id, ids] of want) await alertBucketQueue.run(id, () => AlertBucket.updateOne({ _id: id }, { $set: { ids } }, { upsert: true }));
  return { buckets: want.size, alerts: alerts.length };
}

export const bucketRepair = deferredRepair('alerts.rebuildBuckets', rebuildBuckets);
