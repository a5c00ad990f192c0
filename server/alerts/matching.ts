import { Posting } from '../../models/posting.ts';
import { JobAlert } from '../../models/job-alert.ts';
import { AlertClaim } from '../../models/alert-claim.ts';
import { AlertPending } from '../../models/alert-pending.ts';
import { notify } from '../notifications/service.ts';
import { postingMatches, type PostingCriteria } from '../gigs/service/search.ts';
import type { ScheduledJob } from '../scheduler.ts';
import { alertMatchQueue, isDuplicateKey } from '../store/index.ts';
import { storeLog } from '../store/log.ts';
import { alertIdsIn, bucketIdsFor } from './buckets.ts';
import type { SavedAlert } from './service.ts';

// Publication → the residents whose saved alerts match are told, once per posting.
// The publishing request only writes a pending marker (one insert) and starts the matching
// without waiting for it; the marker goes when matching is done, and the repair job below
// matches whatever a crash or a failed write left behind.

const inFlight = new Set<Promise<unknown>>();
const READ_BATCH = 20;

const criteriaOf = (a: SavedAlert): PostingCriteria => ({
  needle: a.q.toLowerCase(),
  centerId: a.center,
  category: a.category,
  payType: a.payType,
  minPayFen: a.minPayFen,
  tag: a.tag,
});

/** Called where a posting becomes published (approval, reopening). Returns at once after one insert. */
export async function postingPublished(postingId: string): Promise<void> {
  try {
    await AlertPending.create({ _id: postingId });
  } catch (err) {
    // Already pending: the earlier run or the repair will match it.
    if (!isDuplicateKey(err)) storeLog().warn({ err, postingId }, 'could not mark a posting for alert matching');
  }
  startMatching(postingId);
}

function startMatching(postingId: string): void {
  const run = alertMatchQueue
    .run(postingId, () => matchPosting(postingId))
    .catch((err: unknown) => storeLog().warn({ err, postingId }, 'job alert matching failed; the repair job retries'));
  inFlight.add(run);
  void run.finally(() => inFlight.delete(run));
}

/**
 * Tells every resident with a matching alert about the posting, each at most once. Reads only by
 * _id: the buckets of the posting's center, its ancestors and "any", then each listed alert.
 */
export async function matchPosting(postingId: string): Promise<number> {
  const p = await Posting.findById(postingId, {
    title: 1,
    description: 1,
    employerName: 1,
    category: 1,
    payType: 1,
    payFen: 1,
    centerPath: 1,
    suitability: 1,
    status: 1,
  }).lean();
  let told = 0;
  if (p?.status === 'published') {
    const ids = await alertIdsIn(bucketIdsFor((p.centerPath ?? []).map(String), p.category));
    const users = new Set<string>();
    // A few reads at a time: a bucket such as "anywhere, any work" may list thousands of alerts.
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      const alerts = await Promise.all(ids.slice(i, i + READ_BATCH).map((id) => JobAlert.findById(id).lean()));
      for (const a of alerts) if (a && postingMatches(p, criteriaOf(a))) users.add(String(a.user));
    }
    for (const user of users) if (await tellOnce(user, postingId, p.title)) told++;
  }
  await AlertPending.deleteOne({ _id: postingId });
  return told;
}

/** The claim under the _id index comes first: a second publication or a second alert finds it taken. */
async function tellOnce(userId: string, postingId: string, title: string): Promise<boolean> {
  try {
    await AlertClaim.create({ _id: `${userId}:${postingId}` });
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  await notify(userId, 'gigAlertMatch', { title }, `/gigs/${postingId}`, { key: `alert:${userId}:${postingId}` });
  return true;
}

/** Matches postings still marked pending a while after publication (reads the small pending list). */
export async function matchLeftovers(olderThanMs = 30_000): Promise<number> {
  const left = await AlertPending.find({ at: { $lt: new Date(Date.now() - olderThanMs) } }, { _id: 1 }).lean();
  for (const l of left) await alertMatchQueue.run(l._id, () => matchPosting(l._id));
  return left.length;
}

export const alertRepairJob: ScheduledJob = { name: 'alerts.matchLeftovers', everyMs: 60_000, run: () => matchLeftovers() };

/**
 * Claims only matter while their posting can be published again, which ends with its last day;
 * a year covers any posting (a periodic deleteMany, as FerretDB refuses TTL indexes).
 */
export async function sweepClaims(maxAgeMs = 365 * 24 * 3600_000): Promise<number> {
  const res = await AlertClaim.deleteMany({ at: { $lt: new Date(Date.now() - maxAgeMs) } });
  return res.deletedCount;
}

export const alertClaimSweepJob: ScheduledJob = { name: 'alerts.sweepClaims', everyMs: 24 * 3600_000, run: () => sweepClaims() };

/** For tests and shutdown: waits for the matching started so far. */
export async function matchingSettled(): Promise<void> {
  while (inFlight.size) await Promise.all([...inFlight]);
}
