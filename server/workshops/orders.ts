import { isObjectId } from '../lib/ids.ts';
import { Types } from 'mongoose';
import { Order } from '../../models/order.ts';
import { Batch } from '../../models/batch.ts';
import { audit } from '../audit/service.ts';
import { Refusal } from '../lib/refusal.ts';
import { dayKey } from '../lib/format.ts';
import { readSummaries, summaryIds } from './summaries.ts';
import { getMembership, getTask } from './service.ts';
import { logEntry, LedgerRefusal } from './ledger.ts';
import { rosterOrderOpened } from './roster.ts';
import { inFlight } from '../store/index.ts';

type Shop = { _id: unknown; center: unknown };

export async function createOrder(
  actor: Express.User,
  w: Shop,
  input: { client: string; taskId: string; quantity: number; rateFen: number; deadline: string },
) {
  const task = await getTask(String(w._id), input.taskId);
  // Recorded as in flight: a crash between the order and its roster line rebuilds this workshop's roster alone.
  const o = await inFlight('roster', String(w._id), async () => {
    const order = await Order.create({
      workshop: new Types.ObjectId(String(w._id)),
      center: new Types.ObjectId(String(w.center)),
      client: input.client,
      task: task._id,
      taskName: task.name,
      unit: task.unit,
      quantity: input.quantity,
      rateFen: input.rateFen,
      deadline: input.deadline,
    });
    // On the live board from now on (its open orders are kept on the workshop's roster).
    await rosterOrderOpened(String(w._id), order);
    return order;
  });
  await audit(actor, {
    action: 'workshop.order.create',
    targetType: 'order',
    targetId: String(o._id),
    center: String(w.center),
    details: { client: input.client, quantity: input.quantity },
  });
  return String(o._id);
}

export async function getOrder(workshopId: string, orderId: string) {
  if (!isObjectId(orderId)) return null;
  const o = await Order.findById(orderId).lean();
  return o && String(o.workshop) === workshopId ? o : null;
}

const DAY = 86_400_000;

/** Orders with progress (accepted pieces logged against them), days left and an at-risk flag. */
export async function ordersWithProgress(workshopId: string, opts: { openOnly?: boolean } = {}) {
  const filter: Record<string, unknown> = { workshop: new Types.ObjectId(workshopId) };
  if (opts.openOnly) filter.status = 'open';
  const orders = await Order.find(filter).sort({ deadline: 1 }).lean();
  const sums = await readSummaries(orders.map((o) => summaryIds.order(String(o._id))));
  const today = new Date(`${dayKey()}T00:00:00Z`).getTime();
  const started = (o: { createdAt: Date }) => new Date(`${dayKey(o.createdAt)}T00:00:00Z`).getTime();
  return orders.map((o) => {
    const done = sums.get(summaryIds.order(String(o._id)))!.accepted;
    const daysLeft = Math.round((new Date(`${o.deadline}T00:00:00Z`).getTime() - today) / DAY);
    const total = Math.max(1, Math.round((new Date(`${o.deadline}T00:00:00Z`).getTime() - started(o)) / DAY));
    const elapsed = Math.min(1, Math.max(0, (today - started(o)) / DAY / total));
    const percent = Math.min(100, Math.floor((done * 100) / o.quantity));
    // At risk: past the deadline and short, or behind the pace the time elapsed calls for.
    const atRisk = done < o.quantity && (daysLeft < 0 || (daysLeft <= 3 && percent < 80) || percent + 20 < elapsed * 100);
    return {
      id: String(o._id),
      client: o.client,
      taskName: o.taskName,
      unit: o.unit,
      quantity: o.quantity,
      rateFen: o.rateFen,
      deadline: o.deadline,
      done,
      percent,
      daysLeft,
      atRisk,
      status: o.status,
    };
  });
}

export async function issueBatch(actor: Express.User, w: Shop, input: { workerId: string; taskId: string; orderId: string | null; quantity: number }) {
  const workshopId = String(w._id);
  const task = await getTask(workshopId, input.taskId);
  const member = await getMembership(workshopId, input.workerId);
  if (!member) throw new LedgerRefusal('workerId', 'workshops.errors.notMember');
  if (input.orderId) {
    const o = await getOrder(workshopId, input.orderId);
    if (!o) throw new LedgerRefusal('orderId', 'errors.choose');
    if (String(o.task) !== String(task._id)) throw new LedgerRefusal('taskId', 'workshops.errors.orderTask');
  }
  const b = await Batch.create({
    workshop: new Types.ObjectId(workshopId),
    center: new Types.ObjectId(String(w.center)),
    order: input.orderId ? new Types.ObjectId(input.orderId) : null,
    task: task._id,
    taskName: task.name,
    unit: task.unit,
    worker: member.resident,
    workerName: member.residentName,
    quantity: input.quantity,
    issuedAt: dayKey(),
    issuedBy: actor.name,
  });
  await audit(actor, {
    action: 'workshop.batch.issue',
    targetType: 'batch',
    targetId: String(b._id),
    center: String(w.center),
    details: { worker: String(member.resident), quantity: input.quantity },
  });
  return String(b._id);
}

export async function openBatches(workshopId: string) {
  return Batch.find({ workshop: new Types.ObjectId(workshopId), status: 'open' })
    .sort({ issuedAt: 1 })
    .lean();
}

/** Pieces came back: the returned and rejected counts become one ledger entry (once). */
export async function returnBatch(actor: Express.User, w: Shop, batchId: string, input: { returned: number; rejected: number }) {
  const workshopId = String(w._id);
  if (!isObjectId(batchId)) throw new Refusal('not-found', 'errors.notFound');
  const b = await Batch.findById(batchId).lean();
  if (!b || String(b.workshop) !== workshopId) throw new Refusal('not-found', 'errors.notFound');
  const { entry } = await logEntry(actor, workshopId, {
    workerId: String(b.worker),
    taskId: String(b.task),
    counted: input.returned,
    rejected: input.rejected,
    date: dayKey(),
    note: `batch ${String(b._id).slice(-6)}`,
    idempotencyKey: `batch:${String(b._id)}`,
    orderId: b.order ? String(b.order) : null,
    batchId: String(b._id),
  });
  await Batch.updateOne(
    { _id: b._id },
    { $set: { status: 'returned', returned: entry.counted, rejected: entry.rejected, returnedAt: entry.date, entry: entry._id } },
  );
  return entry;
}
