import { claimNumberedSlot, inFlight, isDuplicateKey, numberedSlotId, numberedSlots, storeLog } from '../../store/index.ts';
import type { Types } from 'mongoose';
import { isObjectId } from '../../lib/ids.ts';
import { Posting } from '../../../models/posting.ts';
import { PostingSlot } from '../../../models/posting-slot.ts';
import { Application } from '../../../models/application.ts';
import { Counter } from '../../../models/counter.ts';
import { isRefusal, Refusal } from '../../lib/refusal.ts';
import { notify } from '../../notifications/service.ts';
import { postingQueue } from '../../store/index.ts';

import { deferredRepair } from '../../scheduler.ts';
import { getPosting } from './postings.ts';
import { ownApplication } from './applications.ts';
import { forgetPending, repairPendingLists, tellWaiting } from './applicants.ts';
import { listingChanged } from './listings.ts';

// Seats: an accepted applicant holds one numbered slot of the posting, `_id` `<posting>:<slotNo>`
// (server/store/slots.ts), so a posting's slots are read and freed by `_id`.

type SlotLean = { _id: unknown; posting: Types.ObjectId; slotNo: number; application: Types.ObjectId; at?: Date | null };

/**
 * Accepts an applicant by claiming a free numbered slot of the posting. The `_id` index on
 * `<posting>:<slotNo>` is what makes overfilling impossible, however many accepts race.
 */
export async function accept(user: Express.User, applicationId: string): Promise<void> {
  const a = await ownApplication(user, applicationId);
  if (a.status !== 'pending') throw new Refusal('conflict', 'gigs.errors.appTransition', { from: a.status, to: 'accepted' });
  const p = await getPosting(String(a.posting));
  if (p.status === 'filled') throw new Refusal('conflict', 'gigs.errors.full');
  if (p.status !== 'published') throw new Refusal('conflict', 'gigs.errors.notOpen');
  // Recorded as in flight: a crash between the slot claim and the application's mark is repaired for this posting alone.
  await inFlight('posting', String(p._id), () => claimFor(p, a));
}

type Posted = Awaited<ReturnType<typeof getPosting>>;
type Applied = Awaited<ReturnType<typeof ownApplication>>;

async function claimFor(p: Posted, a: Applied): Promise<void> {
  const postingId = String(p._id);
  let slotNo: number;
  try {
    slotNo = await claimNumberedSlot(PostingSlot, postingId, p.headcount, (n) => ({ posting: p._id, slotNo: n, application: a._id }), {
      first: (p.acceptedCount ?? 0) + 1,
      // This application already holds a slot (a second accept racing the first): the unique
      // {application} index refused the insert, or the slot read back is its own.
      refused: (_n, holder) => {
        if (!holder || String(holder.application) === String(a._id))
          throw new Refusal('conflict', 'gigs.errors.appTransition', { from: 'accepted', to: 'accepted' });
      },
    });
  } catch (err) {
    if (!isRefusal(err)) slotRepair.schedule(); // the claim may have landed without its answer reaching us
    throw err;
  }
  if (!slotNo) {
    await settleFill(postingId);
    throw new Refusal('conflict', 'gigs.errors.full');
  }
  let res: Awaited<ReturnType<typeof Application.updateOne>>;
  try {
    res = await Application.updateOne({ _id: a._id, status: 'pending' }, { $set: { status: 'accepted', slotNo } });
  } catch (err) {
    slotRepair.schedule(); // the slot is claimed but the application not yet marked
    throw err;
  }
  if (!res.matchedCount && !(await markedWith(a._id, slotNo))) {
    // Withdrawn while we claimed: give the seat back.
    await freeSlot({ _id: a._id, posting: p._id, slotNo });
    throw new Refusal('conflict', 'gigs.errors.stale');
  }
  await forgetPending(postingId, a._id);
  await notify(String(a.resident), 'gigApplicationAccepted', { title: p.title, employer: p.employerName }, '/me/applications');
  await settleFill(postingId);
}

/** The application is accepted with this slot already (a start-up repair on another node marked it for us). */
async function markedWith(applicationId: Types.ObjectId, slotNo: number): Promise<boolean> {
  const now = await Application.findById(applicationId, { status: 1, slotNo: 1 }).lean();
  return now?.status === 'accepted' && now.slotNo === slotNo;
}

/**
 * Frees an application's slot, by `_id` from the slotNo it recorded. Only an application
 * without a recorded slotNo or a slot already gone falls back to the filter by application.
 */
export async function freeSlot(a: { _id: Types.ObjectId; posting: unknown; slotNo?: number | null }): Promise<void> {
  if (a.slotNo) {
    const res = await PostingSlot.deleteOne({ _id: numberedSlotId(String(a.posting), a.slotNo), application: a._id });
    if (res.deletedCount) return;
  }
  await PostingSlot.deleteOne({ application: a._id });
}

/** A posting's taken slots, each read by `_id` (1..headcount, in parallel). */
export function postingSlots(postingId: string, headcount: number): Promise<SlotLean[]> {
  return numberedSlots<SlotLean>(PostingSlot, postingId, headcount, { application: 1, slotNo: 1, posting: 1 });
}

/** Recounts the claimed slots; when all are taken the posting becomes filled and waiting applicants are told. */
export async function settleFill(postingId: string): Promise<void> {
  await postingQueue.run(postingId, async () => {
    const p = await Posting.findById(postingId, { status: 1, headcount: 1, acceptedCount: 1, title: 1, employer: 1, centerPath: 1 }).lean();
    if (!p) return;
    const slots = await postingSlots(postingId, p.headcount);
    const count = slots.length;
    const fill = p.status === 'published' && count >= p.headcount;
    // A Posting write drops the open-postings cache: only write what changed.
    if (fill || count !== p.acceptedCount) await Posting.updateOne({ _id: p._id }, { $set: { acceptedCount: count, ...(fill ? { status: 'filled' } : {}) } });
    if (!fill) {
      if (p.status === 'published') await listingChanged(p.centerPath, postingId, 'seats');
      return;
    }
    await listingChanged(p.centerPath, postingId, 'removed');
    await notify(String(p.employer), 'gigPostingFilled', { title: p.title }, `/employer/postings/${postingId}`);
    await tellWaiting(postingId, new Set(slots.map((s) => String(s.application))), p.title);
  });
}

/**
 * Repairs what a crash between two writes can leave behind: a slot claimed for an application
 * still pending marks it accepted; a slot of a withdrawn or rejected application is freed;
 * each touched posting's count and filled state follow its slots. At start-up (olderThanMs 0:
 * nothing in flight) also: slots from before the keyed `_id`s are rewritten, an accepted
 * application whose slot is missing (a crash inside that rewrite) gets it back, and pending
 * applications are put back on their posting's list. Run at start-up after a crash and after a restore.
 */
export async function repairSlots(olderThanMs = 0): Promise<{ accepted: number; freed: number; moved: number; restored: number; listed: number }> {
  const out = { accepted: 0, freed: 0, moved: 0, restored: 0, listed: 0 };
  // While serving, leave recent slots alone: an accept in flight is not a broken one.
  const cutoff = new Date(Date.now() - olderThanMs);
  const all = await PostingSlot.find({}, { application: 1, posting: 1, slotNo: 1, at: 1 }).lean<SlotLean[]>();
  const postings = new Set<string>();
  const slots = all.filter((s) => s.at && s.at <= cutoff);
  // One read of the applications for all slots (`$in` reads the whole collection on FerretDB).
  const apps = await Application.find({ _id: { $in: slots.map((s) => s.application) } }, { status: 1 }).lean();
  Object.assign(out, await settleSlots(slots, new Map(apps.map((a) => [String(a._id), a.status])), postings));
  if (!olderThanMs) {
    out.moved = await moveLegacySlots();
    out.restored = await restoreMissingSlots(new Set(all.map((s) => String(s.application))), postings);
    out.listed = await repairPendingLists();
  }
  for (const id of postings) await settleFill(id);
  return out;
}

/**
 * The start-up repair after a crash for the postings that were in flight (the in-flight journal,
 * recovery.ts): their slots read by `_id`, settled as `repairSlots` does, their counts and filled
 * state recounted. Reads nothing of other postings.
 */
export async function repairPostings(ids: string[]): Promise<{ accepted: number; freed: number }> {
  const postings = await Promise.all(ids.filter(isObjectId).map((id) => Posting.findById(id, { headcount: 1 }).lean()));
  const slots = (await Promise.all(postings.map((p) => (p ? postingSlots(String(p._id), p.headcount) : [])))).flat();
  // Each application by `_id`: a few reads, however many applications the years have stored.
  const apps = await Promise.all(slots.map((s) => Application.findById(s.application, { status: 1 }).lean()));
  const out = await settleSlots(slots, new Map(apps.flatMap((a) => (a ? [[String(a._id), a.status] as const] : []))), new Set());
  for (const p of postings) if (p) await settleFill(String(p._id));
  return out;
}

/** A slot whose application is still pending marks it accepted; one of an ended application is freed. */
async function settleSlots(slots: SlotLean[], apps: ReadonlyMap<string, string>, postings: Set<string>): Promise<{ accepted: number; freed: number }> {
  const out = { accepted: 0, freed: 0 };
  for (const s of slots) {
    const status = apps.get(String(s.application));
    if (status === 'accepted') continue;
    if (status === 'pending') {
      await Application.updateOne({ _id: s.application, status: 'pending' }, { $set: { status: 'accepted', slotNo: s.slotNo } });
      out.accepted += 1;
    } else {
      await PostingSlot.collection.deleteOne({ _id: s._id } as Record<string, unknown>); // raw: an old slot's _id is an ObjectId
      out.freed += 1;
    }
    postings.add(String(s.posting));
  }
  return out;
}

/**
 * Rewrites slots stored before the keyed `_id`s (an ObjectId `_id`) as `<posting>:<slotNo>`.
 * The application records its slotNo first; the old slot is then deleted and the keyed one
 * inserted (the unique {posting, slotNo} index allows no other order). A crash in between
 * leaves an accepted application without its slot, which `restoreMissingSlots` puts back
 * (the crash leaves the unclean-start marker, so the next start runs `repairSlots`).
 */
async function moveLegacySlots(): Promise<number> {
  const legacy = await PostingSlot.collection.find({ _id: { $type: 'objectId' } }, { projection: { posting: 1, slotNo: 1, application: 1, at: 1 } }).toArray();
  let moved = 0;
  for (const s of legacy as unknown as SlotLean[]) {
    const app = await Application.findById(s.application, { status: 1, slotNo: 1 }).lean();
    if (app?.status !== 'accepted') continue; // pending or gone: repairSlots settles it first
    if (app.slotNo !== s.slotNo) await Application.updateOne({ _id: app._id, status: 'accepted' }, { $set: { slotNo: s.slotNo } });
    await postingQueue.run(String(s.posting), async () => {
      await PostingSlot.collection.deleteOne({ _id: s._id } as Record<string, unknown>);
      await insertSlot(s);
    });
    moved += 1;
  }
  return moved;
}

/** An accepted application whose slot is missing gets it back under its recorded slotNo. */
async function restoreMissingSlots(held: ReadonlySet<string>, postings: Set<string>): Promise<number> {
  const accepted = await Application.find({ status: 'accepted', slotNo: { $ne: null } }, { posting: 1, slotNo: 1 }).lean();
  let restored = 0;
  for (const a of accepted) {
    if (held.has(String(a._id)) || !a.slotNo) continue;
    if (!(await insertSlot({ posting: a.posting, slotNo: a.slotNo, application: a._id }))) continue;
    // Withdrawn meanwhile (another node already serving): the slot goes again.
    if (!(await markedWith(a._id, a.slotNo))) await PostingSlot.deleteOne({ _id: numberedSlotId(String(a.posting), a.slotNo), application: a._id });
    else restored += 1;
    postings.add(String(a.posting));
  }
  return restored;
}

/** Inserts a slot under its keyed `_id`; false when it is already there (or its number is held by another, which is logged). */
async function insertSlot(s: { posting: Types.ObjectId; slotNo: number; application: Types.ObjectId; at?: Date | null }): Promise<boolean> {
  const _id = numberedSlotId(String(s.posting), s.slotNo);
  try {
    await PostingSlot.create({ _id, posting: s.posting, slotNo: s.slotNo, application: s.application, ...(s.at ? { at: s.at } : {}) });
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const holder = await PostingSlot.findById(_id, { application: 1 }).lean();
    if (String(holder?.application) !== String(s.application))
      storeLog().warn({ slot: _id, application: String(s.application) }, 'an accepted application lost its slot to another');
    return false;
  }
}

const MIGRATED = 'migration:keyed-posting-slots';

/**
 * Once per database, at start-up: the start-up repair, which rewrites slots from before the
 * keyed `_id`s and lists pending applications per posting (reading whole collections, once).
 * A marker (a Counter under `MIGRATED`) says it is done; a crash before it is set runs it again.
 */
export async function migrateSlots(): Promise<Awaited<ReturnType<typeof repairSlots>> | null> {
  if (await Counter.exists({ _id: MIGRATED })) return null;
  const done = await repairSlots();
  await Counter.updateOne({ _id: MIGRATED }, { $set: { value: 1 } }, { upsert: true });
  return done;
}

// After a write failed between two related writes, repair once nothing is still in flight.
/** A posting's slots repaired once a write failed half-way (its job is started in main.ts). */
export const slotRepair = deferredRepair('gigs.repairSlots', () => repairSlots(20_000));
