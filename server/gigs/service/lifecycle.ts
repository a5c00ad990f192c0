import type { Types } from 'mongoose';
import { Employer } from '../../../models/employer.ts';
import { Posting, type PostingStatus } from '../../../models/posting.ts';
import { Refusal } from '../../lib/refusal.ts';
import { audit } from '../../audit/service.ts';
import { notify } from '../../notifications/service.ts';
import { dayKey } from '../../lib/format.ts';
import type { ScheduledJob } from '../../scheduler.ts';
import { employerProfile } from './employers.ts';
import { getPosting, ownPosting } from './postings.ts';
import { settleFill } from './slots.ts';
import { isOpen, listingChanged, repairListings } from './listings.ts';
import { postingPublished } from '../../alerts/matching.ts';
import { assertScope, LIST_FIELDS, oid } from './shared.ts';
import { assertMayPublish } from '../../arrears/record.ts';

// A posting's life after it is written: submitted, reviewed, closed and reopened, expired.

/** One status change, validated against the states it may come from. */
async function transition(p: { _id: Types.ObjectId; status: string }, from: PostingStatus[], to: PostingStatus, set: Record<string, unknown> = {}) {
  if (!from.includes(p.status as PostingStatus)) throw new Refusal('conflict', 'gigs.errors.transition', { from: p.status, to });
  const res = await Posting.updateOne({ _id: p._id, status: p.status as PostingStatus }, { $set: { status: to, ...set } });
  if (!res.matchedCount) throw new Refusal('conflict', 'gigs.errors.stale');
}

export async function submitPosting(user: Express.User, id: string): Promise<void> {
  const p = await ownPosting(user, id);
  const profile = await employerProfile(user.id);
  if (!['draft', 'rejected'].includes(p.status)) throw new Refusal('conflict', 'gigs.errors.transition', { from: p.status, to: 'submitted' });
  if (profile?.status !== 'verified') throw new Refusal('conflict', 'gigs.errors.notVerified');
  if (p.endDay < dayKey()) throw new Refusal('conflict', 'gigs.errors.endPassed');
  await assertMayPublish(user.id); // an open wage-arrears case stops new postings
  await transition(p, ['draft', 'rejected'], 'submitted', { submittedAt: new Date(), reason: '', employerName: profile.name });
}

export async function closePosting(user: Express.User, id: string): Promise<void> {
  const p = await ownPosting(user, id);
  await transition(p, ['draft', 'submitted', 'rejected', 'published', 'filled'], 'closed', { closedFrom: p.status });
  if (p.status === 'published') await listingChanged(p.centerPath, id, 'removed');
}

/**
 * Undoes a close while the posting's dates have not passed: it goes back to the state it was
 * closed from (a filled one to published, then settled again against its slots). Its content
 * cannot change while closed, so a posting that was approved needs no second review.
 */
export async function reopenPosting(user: Express.User, id: string): Promise<void> {
  const p = await ownPosting(user, id);
  if (p.status !== 'closed') throw new Refusal('conflict', 'gigs.errors.transition', { from: p.status, to: 'published' });
  if (p.endDay < dayKey()) throw new Refusal('conflict', 'gigs.errors.endPassed');
  const from = (p as { closedFrom?: string }).closedFrom;
  const back: PostingStatus = from === 'published' || from === 'filled' ? 'published' : from === 'submitted' || from === 'rejected' ? from : 'draft';
  if (back === 'published' || back === 'submitted') await assertMayPublish(user.id);
  await transition(p, ['closed'], back, { closedFrom: '' });
  if (back === 'published') {
    await listingChanged(p.centerPath, id, 'published');
    await settleFill(id); // which takes it off the list again if its seats were all taken
    await postingPublished(id);
  }
}

export async function approvePosting(actor: Express.User, id: string): Promise<void> {
  const p = await getPosting(id);
  await assertScope(actor, p.center);
  await assertMayPublish(String(p.employer)); // staff cannot approve past an open arrears case either
  await transition(p, ['submitted'], 'published', { publishedAt: new Date(), reason: '' });
  await listingChanged(p.centerPath, id, 'published');
  await audit(actor, { action: 'gigs.posting.approve', targetType: 'posting', targetId: id, center: String(p.center), details: { title: p.title } });
  await notify(String(p.employer), 'gigPostingApproved', { title: p.title }, `/employer/postings/${id}`);
  // A re-approved posting whose seats were all taken in the meantime goes straight to filled.
  await settleFill(id);
  await postingPublished(id);
}

export async function rejectPosting(actor: Express.User, id: string, reason: string): Promise<void> {
  const p = await getPosting(id);
  await assertScope(actor, p.center);
  await transition(p, ['submitted'], 'rejected', { reason });
  await audit(actor, { action: 'gigs.posting.reject', targetType: 'posting', targetId: id, center: String(p.center), details: { title: p.title, reason } });
  await notify(String(p.employer), 'gigPostingRejected', { title: p.title, reason }, `/employer/postings/${id}`);
}

/**
 * Published or filled postings whose last day has passed become expired, and the public list is
 * mended from the same read of the postings (listings.ts). Idempotent.
 */
export async function expirePostings(today = dayKey()): Promise<number> {
  const live = await Posting.find({ status: { $in: ['published', 'filled', 'submitted'] } }, { _id: 1, status: 1, centerPath: 1, endDay: 1 }).lean();
  let n = 0;
  for (const p of live.filter((x) => x.endDay < today)) {
    const res = await Posting.updateOne({ _id: p._id, status: p.status }, { $set: { status: 'expired' } });
    if (res.modifiedCount) {
      n++;
      if (p.status === 'published') await listingChanged(p.centerPath, String(p._id), 'removed');
    }
  }
  await repairListings(
    live.filter((p) => isOpen(p, today)).map((p) => String(p._id)),
    today,
  );
  return n;
}

export const postingExpiryJob: ScheduledJob = { name: 'gigs.expire', everyMs: 10 * 60_000, run: () => expirePostings() };

export async function moderationQueue(actor: Express.User) {
  const scope = actor.role === 'admin' ? {} : { centerPath: oid(actor.staffCenter ?? actor.homeCenter) };
  const [employers, postings] = await Promise.all([
    Employer.find({ status: 'pending', ...scope }, { name: 1, creditCode: 1, center: 1, createdAt: 1, updatedAt: 1 })
      .sort({ updatedAt: 1 })
      .limit(200)
      .lean(),
    Posting.find({ status: 'submitted', ...scope }, { ...LIST_FIELDS, submittedAt: 1 })
      .sort({ submittedAt: 1 })
      .limit(200)
      .lean(),
  ]);
  return { employers, postings };
}
