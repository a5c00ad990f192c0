import { Types } from 'mongoose';
import { JobAlert } from '../../models/job-alert.ts';
import { Refusal } from '../lib/refusal.ts';
import { isDuplicateKey } from '../store/index.ts';
import { getCenter } from '../centers/tree.ts';
import { listCategories } from '../gigs/service/categories.ts';
import { bucketId, listInBucket, unlistFromBucket } from './buckets.ts';

// A resident's saved searches: save one from the gig list's filters, list and delete them.

export const MAX_ALERTS = 10;

export interface AlertCriteria {
  center: string;
  category: string;
  q: string;
  tag: string;
  payType: string;
  minPayFen: number;
}

const alertId = (userId: string, slot: number) => `${userId}:${slot}`;
const sameCriteria = (a: AlertCriteria, b: AlertCriteria) =>
  a.center === b.center &&
  a.category === b.category &&
  a.q.toLowerCase() === b.q.toLowerCase() &&
  a.tag === b.tag &&
  a.payType === b.payType &&
  a.minPayFen === b.minPayFen;

/** The resident's alerts, oldest first: at most MAX_ALERTS reads by _id (no scan of all alerts). */
export async function myAlerts(userId: string) {
  const slots = Array.from({ length: MAX_ALERTS }, (_, i) => i + 1);
  const found = await Promise.all(slots.map((s) => JobAlert.findById(alertId(userId, s)).lean()));
  return found.filter((a) => !!a).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

export type SavedAlert = Awaited<ReturnType<typeof myAlerts>>[number];

/**
 * Saves an alert in the resident's first free slot. The slot's _id makes the limit hold even
 * when two taps arrive at once; the same search saved twice is one alert.
 */
export async function saveAlert(user: Express.User, criteria: AlertCriteria): Promise<{ id: string; existed: boolean }> {
  if (!criteria.center && !criteria.category && !criteria.q && !criteria.tag && !criteria.payType && !criteria.minPayFen) {
    throw new Refusal('invalid', 'alerts.errors.noFilters');
  }
  // An alert for a center or category that does not exist would never match: say so instead.
  if (criteria.center && !(await getCenter(criteria.center))) throw new Refusal('invalid', 'alerts.errors.unknownChoice');
  if (criteria.category && !(await listCategories()).some((c) => c.key === criteria.category)) throw new Refusal('invalid', 'alerts.errors.unknownChoice');
  const mine = await myAlerts(user.id);
  const same = mine.find((a) => sameCriteria(a, criteria));
  if (same) return { id: same._id, existed: true };
  const taken = new Set(mine.map((a) => a.slot));
  for (let slot = 1; slot <= MAX_ALERTS; slot++) {
    if (taken.has(slot)) continue;
    try {
      const doc = await JobAlert.create({ _id: alertId(user.id, slot), user: new Types.ObjectId(user.id), slot, ...criteria });
      await listInBucket(bucketId(criteria.center, criteria.category), doc._id);
      return { id: doc._id, existed: false };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new Refusal('conflict', 'alerts.errors.limit', { max: MAX_ALERTS });
}

/** One of the resident's own alerts; anyone else's answers like an unknown one. */
export async function ownAlert(user: Express.User, id: string) {
  if (!id.startsWith(`${user.id}:`)) throw new Refusal('not-found', 'errors.notFound');
  const a = await JobAlert.findById(id).lean();
  if (!a || String(a.user) !== user.id) throw new Refusal('not-found', 'errors.notFound');
  return a;
}

export async function deleteAlert(user: Express.User, id: string): Promise<void> {
  const a = await ownAlert(user, id);
  await JobAlert.deleteOne({ _id: a._id });
  await unlistFromBucket(bucketId(a.center, a.category), a._id);
}
