import { isObjectId } from '../../lib/ids.ts';
import { Types } from 'mongoose';
import { inFlight, isDuplicateKey } from '../../store/index.ts';
import { Posting } from '../../../models/posting.ts';
import { Application } from '../../../models/application.ts';
import { User } from '../../../models/user.ts';
import { Refusal } from '../../lib/refusal.ts';
import { audit } from '../../audit/service.ts';
import { notify } from '../../notifications/service.ts';
import { postingQueue } from '../../store/index.ts';
import { dayKey } from '../../lib/format.ts';

import { getPosting } from './postings.ts';
import { listingChanged } from './listings.ts';
import { oid, validId } from './shared.ts';
import { forgetPending, notePending } from './applicants.ts';
import { freeSlot, postingSlots } from './slots.ts';

export async function apply(
  resident: { id: string },
  postingId: string,
  input: { message: string; availability: string },
  onBehalfOf?: Express.User,
): Promise<string> {
  const p = await getPosting(postingId);
  if (p.status === 'filled') throw new Refusal('conflict', 'gigs.errors.full');
  if (p.status !== 'published' || p.endDay < dayKey()) throw new Refusal('conflict', 'gigs.errors.notOpen');
  const r = await User.findById(resident.id, { name: 1, phone: 1, role: 1, homeCenter: 1 }).lean();
  if (r?.role !== 'resident') throw new Refusal('not-found', 'errors.notFound');
  const appId = new Types.ObjectId();
  await notePending(String(p._id), appId); // listed first: whoever is told when the posting fills never misses it
  let id: string;
  try {
    const doc = await Application.create({
      _id: appId,
      posting: p._id,
      employer: p.employer,
      resident: r._id,
      residentName: r.name,
      residentPhone: r.phone,
      postingTitle: p.title,
      message: input.message,
      availability: input.availability,
      activeKey: `${postingId}:${resident.id}`,
      onBehalfBy: onBehalfOf ? oid(onBehalfOf.id) : null,
    });
    id = String(doc._id);
  } catch (err) {
    if (isDuplicateKey(err)) throw new Refusal('conflict', 'gigs.errors.alreadyApplied');
    throw err;
  }
  if (onBehalfOf) {
    await audit(onBehalfOf, {
      action: 'gigs.application.onBehalf',
      targetType: 'application',
      targetId: id,
      center: String(r.homeCenter),
      details: { posting: postingId, resident: resident.id, consent: true },
    });
  }
  await notify(String(p.employer), 'gigApplicationReceived', { name: r.name, title: p.title }, `/employer/postings/${postingId}`);
  return id;
}

/** An application seen by one of its two parties, or not found (the same answer for anyone else). */
async function applicationOf(user: Express.User, applicationId: string, party: 'resident' | 'employer') {
  if (!validId(applicationId)) throw new Refusal('not-found', 'errors.notFound');
  const a = await Application.findById(applicationId).lean();
  if (!a || String(a[party]) !== user.id) throw new Refusal('not-found', 'errors.notFound');
  return a;
}

/** The resident's own application. */
export const residentApplication = (user: Express.User, applicationId: string) => applicationOf(user, applicationId, 'resident');

export async function withdraw(user: Express.User, applicationId: string): Promise<void> {
  const a = await residentApplication(user, applicationId);
  if (a.status !== 'pending' && a.status !== 'accepted') throw new Refusal('conflict', 'gigs.errors.appTransition', { from: a.status, to: 'withdrawn' });
  // Recorded as in flight: a crash between the withdrawal and freeing its slot is repaired for this posting alone.
  await inFlight('posting', String(a.posting), () => withdrawApplication(a));
}

async function withdrawApplication(a: Awaited<ReturnType<typeof residentApplication>>): Promise<void> {
  const applicationId = String(a._id);
  const res = await Application.updateOne(
    { _id: a._id, status: a.status },
    { $set: { status: 'withdrawn', activeKey: `${a.activeKey}:withdrawn:${applicationId}`, slotNo: null } },
  );
  if (!res.matchedCount) throw new Refusal('conflict', 'gigs.errors.stale');
  if (a.status === 'pending') await forgetPending(String(a.posting), a._id);
  if (a.status === 'accepted') {
    // The seat goes back (by its `_id`); a filled posting opens again if it has not ended.
    await freeSlot(a);
    await postingQueue.run(String(a.posting), async () => {
      const p = await Posting.findById(a.posting, { status: 1, endDay: 1, centerPath: 1, headcount: 1 }).lean();
      if (!p) return;
      const count = (await postingSlots(String(a.posting), p.headcount)).length;
      const reopen = p.status === 'filled' && p.endDay >= dayKey();
      await Posting.updateOne({ _id: a.posting }, { $set: { acceptedCount: count, ...(reopen ? { status: 'published' } : {}) } });
      if (reopen) await listingChanged(p.centerPath, String(a.posting), 'published');
      else if (p.status === 'published') await listingChanged(p.centerPath, String(a.posting), 'seats');
    });
  }
}

/** An application to one of the employer's own postings. */
export const ownApplication = (user: Express.User, applicationId: string) => applicationOf(user, applicationId, 'employer');

export async function rejectApplication(user: Express.User, applicationId: string): Promise<void> {
  const a = await ownApplication(user, applicationId);
  if (a.status !== 'pending') throw new Refusal('conflict', 'gigs.errors.appTransition', { from: a.status, to: 'rejected' });
  const res = await Application.updateOne({ _id: a._id, status: 'pending' }, { $set: { status: 'rejected' } });
  if (!res.matchedCount) throw new Refusal('conflict', 'gigs.errors.stale');
  await forgetPending(String(a.posting), a._id);
  await notify(String(a.resident), 'gigApplicationRejected', { title: a.postingTitle }, '/me/applications');
}

export async function applicantsOf(postingId: string) {
  return Application.find(
    { posting: oid(postingId) },
    { residentName: 1, residentPhone: 1, message: 1, availability: 1, status: 1, slotNo: 1, createdAt: 1, onBehalfBy: 1 },
  )
    .sort({ createdAt: 1 })
    .lean();
}

export async function myApplications(userId: string) {
  return Application.find({ resident: oid(userId) }, { posting: 1, postingTitle: 1, status: 1, createdAt: 1, message: 1 })
    .sort({ createdAt: -1 })
    .limit(200)
    .lean();
}

/** One of the resident's own applications (404 for anyone else's). */
export async function myApplication(user: Express.User, applicationId: string) {
  if (!validId(applicationId)) throw new Refusal('not-found', 'errors.notFound');
  const a = await Application.findById(applicationId, { posting: 1, postingTitle: 1, status: 1, resident: 1 }).lean();
  if (!a || String(a.resident) !== user.id) throw new Refusal('not-found', 'errors.notFound');
  return a;
}

export async function myApplicationFor(userId: string, postingId: string) {
  return Application.findOne({ activeKey: `${postingId}:${userId}` }, { status: 1 }).lean();
}

/** The posting an application belongs to (null for an unknown or malformed id). */
export async function postingOfApplication(applicationId: string): Promise<string | null> {
  const a = isObjectId(applicationId) ? await Application.findById(applicationId, { posting: 1 }).lean() : null;
  return a ? String(a.posting) : null;
}
