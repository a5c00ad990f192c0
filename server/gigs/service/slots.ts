import { isDuplicateKey } from '../../store/index.ts';
import { Posting } from '../../../models/posting.ts';
import { PostingSlot } from '../../../models/posting-slot.ts';
import { Application } from '../../../models/application.ts';
import { Refusal } from '../../lib/refusal.ts';
import { notify } from '../../notifications/service.ts';
import { postingQueue } from '../../store/index.ts';

import { deferredRepair } from '../../scheduler.ts';
import { getPosting } from './postings.ts';
import { ownApplication } from './applications.ts';
import { boardChanged } from './board.ts';

// Seats: an accepted applicant holds one numbered slot of the posting.

/**
 * Accepts an applicant by claiming the lowest free numbered slot of the posting. The unique
 * index on {posting, slotNo} is what makes overfilling impossible, however many accepts race.
 */
export async function accept(user: Express.User, applicationId: string): Promise<void> {
  const a = await ownApplication(user, applicationId);
  if (a.status !== 'pending') throw new Refusal('conflict', 'gigs.errors.appTransition', { from: a.status, to: 'accepted' });
  const p = await getPosting(String(a.posting));
  if (p.status === 'filled') throw new Refusal('conflict', 'gigs.errors.full');
  if (p.status !== 'published') throw new Refusal('conflict', 'gigs.errors.notOpen');
  let slotNo = 0;
  for (let n = 1; n <= p.headcount; n++) {
    try {
      await PostingSlot.create({ posting: p._id, slotNo: n, application: a._id });
      slotNo = n;
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) {
        slotRepair.schedule(); // the claim may have landed without its answer reaching us
        throw err;
      }
      if (await PostingSlot.exists({ application: a._id })) throw new Refusal('conflict', 'gigs.errors.appTransition', { from: 'accepted', to: 'accepted' });
    }
  }
  if (!slotNo) {
    await settleFill(String(p._id));
    throw new Refusal('conflict', 'gigs.errors.full');
  }
  let res: Awaited<ReturnType<typeof Application.updateOne>>;
  try {
    res = await Application.updateOne({ _id: a._id, status: 'pending' }, { $set: { status: 'accepted', slotNo } });
  } catch (err) {
    slotRepair.schedule(); // the slot is claimed but the application not yet marked
    throw err;
  }
  if (!res.matchedCount) {
    // Withdrawn while we claimed: give the seat back.
    await PostingSlot.deleteOne({ application: a._id });
    throw new Refusal('conflict', 'gigs.errors.stale');
  }
  await notify(String(a.resident), 'gigApplicationAccepted', { title: p.title, employer: p.employerName }, '/me/applications');
  await settleFill(String(p._id));
}

/** Recounts the claimed slots; when all are taken the posting becomes filled and waiting applicants are told. */
export async function settleFill(postingId: string): Promise<void> {
  await postingQueue.run(postingId, async () => {
    const p = await Posting.findById(postingId, { status: 1, headcount: 1, title: 1, employer: 1, centerPath: 1 }).lean();
    if (!p) return;
    const count = await PostingSlot.countDocuments({ posting: p._id });
    const fill = p.status === 'published' && count >= p.headcount;
    await Posting.updateOne({ _id: p._id }, { $set: { acceptedCount: count, ...(fill ? { status: 'filled' } : {}) } });
    if (!fill) {
      if (p.status === 'published') boardChanged(p.centerPath, postingId, 'seats');
      return;
    }
    boardChanged(p.centerPath, postingId, 'removed');
    await notify(String(p.employer), 'gigPostingFilled', { title: p.title }, `/employer/postings/${postingId}`);
    const waiting = await Application.find({ posting: p._id, status: 'pending' }, { resident: 1 }).lean();
    for (const w of waiting) await notify(String(w.resident), 'gigPostingFilledApplicant', { title: p.title }, '/me/applications');
  });
}

/**
 * Repairs what a crash between two writes can leave behind: a slot claimed for an application
 * still pending marks it accepted; a slot of a withdrawn or rejected application is freed;
 * each touched posting's count and filled state follow its slots. Run at start-up.
 */
export async function repairSlots(olderThanMs = 0): Promise<{ accepted: number; freed: number }> {
  const out = { accepted: 0, freed: 0 };
  // While serving, leave recent slots alone: an accept in flight is not a broken one.
  const cutoff = new Date(Date.now() - olderThanMs);
  const slots = (await PostingSlot.find({}, { application: 1, posting: 1, slotNo: 1, at: 1 }).lean()).filter((s) => s.at <= cutoff);
  const apps = new Map((await Application.find({ _id: { $in: slots.map((s) => s.application) } }, { status: 1 }).lean()).map((a) => [String(a._id), a.status]));
  const postings = new Set<string>();
  for (const s of slots) {
    const status = apps.get(String(s.application));
    if (status === 'accepted') continue;
    if (status === 'pending') {
      await Application.updateOne({ _id: s.application, status: 'pending' }, { $set: { status: 'accepted', slotNo: s.slotNo } });
      out.accepted += 1;
    } else {
      await PostingSlot.deleteOne({ _id: s._id });
      out.freed += 1;
    }
    postings.add(String(s.posting));
  }
  for (const id of postings) await settleFill(id);
  return out;
}

// After a write failed between two related writes, repair once nothing is still in flight.
/** A posting's slots repaired once a write failed half-way (its job is started in main.ts). */
export const slotRepair = deferredRepair('gigs.repairSlots', () => repairSlots(20_000));
