import type { Types } from 'mongoose';
import { Application } from '../../../models/application.ts';
import { PostingApplicants } from '../../../models/posting-applicants.ts';
import { postingQueue, storeLog } from '../../store/index.ts';
import { notify } from '../../notifications/service.ts';

// Who is still waiting on a posting, kept on one document per posting (models/posting-applicants.ts)
// so that telling them when it fills reads by `_id`, not every application ever made.

/** Lists an application as pending before it is inserted, so none is ever missed (a refused insert leaves a harmless extra id). */
export async function notePending(postingId: string, applicationId: Types.ObjectId): Promise<void> {
  await postingQueue.run(postingId, () => PostingApplicants.updateOne({ _id: postingId }, { $addToSet: { applications: applicationId } }, { upsert: true }));
}

/** Takes an application off its posting's pending list once it stops pending; a failure only leaves an extra id. */
export async function forgetPending(postingId: string, applicationId: Types.ObjectId): Promise<void> {
  await postingQueue
    .run(postingId, () => PostingApplicants.updateOne({ _id: postingId }, { $pull: { applications: applicationId } }))
    .catch((err: unknown) => storeLog().warn({ err, postingId }, 'could not take an application off the pending list'));
}

/**
 * Tells the applicants still pending on a posting that it has filled. Each listed application is
 * read by `_id`; those holding a slot (`holders`, accepted or about to be marked so) are skipped.
 * Called inside the posting's queue.
 */
export async function tellWaiting(postingId: string, holders: ReadonlySet<string>, title: string): Promise<void> {
  const list = await PostingApplicants.findById(postingId, { applications: 1 }).lean();
  const ids = (list?.applications ?? []).filter((id) => !holders.has(String(id)));
  const apps = await Promise.all(ids.map((id) => Application.findById(id, { resident: 1, status: 1 }).lean()));
  for (const a of apps) if (a?.status === 'pending') await notify(String(a.resident), 'gigPostingFilledApplicant', { title }, '/me/applications');
}

/**
 * Puts every pending application on its posting's list (a start-up repair after a crash or a
 * restore; it reads all pending applications once). Returns how many were missing.
 */
export async function repairPendingLists(): Promise<number> {
  const pending = await Application.find({ status: 'pending' }, { posting: 1 }).lean();
  const byPosting = new Map<string, Types.ObjectId[]>();
  for (const a of pending) byPosting.set(String(a.posting), [...(byPosting.get(String(a.posting)) ?? []), a._id]);
  let added = 0;
  for (const [postingId, ids] of byPosting) {
    const listed = new Set(((await PostingApplicants.findById(postingId, { applications: 1 }).lean())?.applications ?? []).map(String));
    const missing = ids.filter((id) => !listed.has(String(id)));
    if (!missing.length) continue;
    await postingQueue.run(postingId, () =>
      PostingApplicants.updateOne({ _id: postingId }, { $addToSet: { applications: { $each: missing } } }, { upsert: true }),
    );
    added += missing.length;
  }
  return added;
}
