import { dayAnswers as dayAnswersCache } from '../store/index.ts';
import { Types } from 'mongoose';
import { Dispute, disputeId } from '../../models/dispute.ts';
import { audit } from '../audit/service.ts';
import { notify } from '../notifications/service.ts';
import { Refusal } from '../lib/refusal.ts';
import { getMembership } from './service.ts';

/** The worker confirms a day's counts, or says the count is wrong (数量不对) with a comment. */
export async function answerDay(
  user: Express.User,
  w: { _id: unknown; center: unknown; name: string; lead?: unknown },
  date: string,
  input: { wrong: boolean; comment: string },
) {
  const workshopId = String(w._id);
  if (!(await getMembership(workshopId, user.id))) throw new Refusal('forbidden', 'workshops.errors.notMember');
  const _id = disputeId(user.id, workshopId, date);
  const status = input.wrong ? 'open' : 'confirmed';
  await Dispute.updateOne(
    { _id },
    {
      $set: {
        workshop: w._id,
        center: w.center,
        worker: new Types.ObjectId(user.id),
        workerName: user.name,
        date,
        status,
        comment: input.wrong ? input.comment : '',
      },
    },
    { upsert: true },
  );
  // The workshop lead hears of it at once; everyone in scope sees it in the staff queue.
  if (input.wrong && w.lead) await notify(String(w.lead), 'workshopDispute', { name: user.name, workshop: w.name, date }, `/staff/workshops/${workshopId}`);
}

/** A worker's answers for recent days (kept briefly: they change only when someone answers). */
export async function dayAnswers(userId: string, workshopId: string, dates: string[]) {
  const docs = await dayAnswersCache.get(`${userId}:${workshopId}:${dates.join(',')}`, () =>
    Promise.all(dates.map((d) => Dispute.findById(disputeId(userId, workshopId, d)).lean())),
  );
  return new Map(dates.map((d, i) => [d, docs[i]]));
}

export async function openDisputes(workshopIds: string[]) {
  if (!workshopIds.length) return [];
  return Dispute.find({ workshop: { $in: workshopIds.map((id) => new Types.ObjectId(id)) }, status: 'open' })
    .sort({ createdAt: 1 })
    .lean();
}

export async function getDispute(id: string) {
  const d = await Dispute.findById(id).lean();
  if (!d) throw new Refusal('not-found', 'errors.notFound');
  return d;
}

export async function resolveDispute(actor: Express.User, id: string, reply: string) {
  const d = await getDispute(id);
  await Dispute.updateOne({ _id: id }, { $set: { status: 'resolved', reply, resolvedBy: actor.name, resolvedAt: new Date() } });
  await audit(actor, { action: 'workshop.dispute.resolve', targetType: 'dispute', targetId: id, center: String(d.center), details: { reply } });
  await notify(String(d.worker), 'workshopDisputeAnswered', { date: d.date }, '/me/work');
}
