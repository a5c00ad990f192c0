import { isObjectId } from '../lib/ids.ts';
import { isDuplicateKey } from '../store/index.ts';
import { Types } from 'mongoose';
import { WorkReport } from '../../models/work-report.ts';
import { workerReports } from '../store/index.ts';
import { audit } from '../audit/service.ts';
import { notify } from '../notifications/service.ts';
import { Refusal } from '../lib/refusal.ts';
import { dayKey } from '../lib/format.ts';
import { getMembership, getTask } from './service.ts';
import { logEntry, LedgerRefusal } from './ledger.ts';

type Shop = { _id: unknown; center: unknown; name: string };

/** A worker reports their own count; it waits for staff. A resubmitted form stores it once. */
export async function reportOwnCount(
  user: Express.User,
  w: Shop,
  input: { taskId: string; counted: number; date: string; note: string; idempotencyKey: string },
) {
  const workshopId = String(w._id);
  const member = await getMembership(workshopId, user.id);
  if (!member) throw new Refusal('forbidden', 'workshops.errors.notMember');
  const task = await getTask(workshopId, input.taskId);
  if (input.date > dayKey()) throw new LedgerRefusal('date', 'workshops.errors.future');
  try {
    await WorkReport.create({
      idempotencyKey: input.idempotencyKey,
      workshop: new Types.ObjectId(workshopId),
      center: new Types.ObjectId(String(w.center)),
      worker: member.resident,
      workerName: member.residentName,
      task: task._id,
      taskName: task.name,
      unit: task.unit,
      counted: input.counted,
      date: input.date,
      note: input.note,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

export async function pendingReports(workshopId: string) {
  return WorkReport.find({ workshop: new Types.ObjectId(workshopId), status: 'pending' })
    .sort({ createdAt: 1 })
    .lean();
}

export async function myReports(userId: string) {
  return workerReports.get(userId, () =>
    WorkReport.find({ worker: new Types.ObjectId(userId) })
      .sort({ createdAt: -1 })
      .limit(20)
      .lean(),
  );
}

/** Staff confirm (with the counts they checked) or decline a reported count. */
export async function decideReport(
  actor: Express.User,
  w: Shop,
  reportId: string,
  input: { confirm: boolean; counted: number; rejected: number; reply: string },
) {
  const workshopId = String(w._id);
  if (!isObjectId(reportId)) throw new Refusal('not-found', 'errors.notFound');
  const r = await WorkReport.findById(reportId).lean();
  if (!r || String(r.workshop) !== workshopId) throw new Refusal('not-found', 'errors.notFound');
  if (r.status !== 'pending') return r.status;
  if (input.confirm) {
    const { entry } = await logEntry(actor, workshopId, {
      workerId: String(r.worker),
      taskId: String(r.task),
      counted: input.counted,
      rejected: input.rejected,
      date: r.date,
      note: r.note,
      idempotencyKey: `report:${String(r._id)}`,
    });
    await WorkReport.updateOne({ _id: r._id }, { $set: { status: 'confirmed', entry: entry._id, reply: input.reply, decidedBy: actor.name } });
  } else {
    await WorkReport.updateOne({ _id: r._id }, { $set: { status: 'declined', reply: input.reply, decidedBy: actor.name } });
  }
  await audit(actor, {
    action: input.confirm ? 'workshop.report.confirm' : 'workshop.report.decline',
    targetType: 'workReport',
    targetId: reportId,
    center: String(w.center),
    details: { counted: input.counted, rejected: input.rejected, reply: input.reply },
  });
  await notify(String(r.worker), input.confirm ? 'workshopReportConfirmed' : 'workshopReportDeclined', { workshop: w.name, date: r.date }, '/me/work');
  return input.confirm ? 'confirmed' : 'declined';
}
