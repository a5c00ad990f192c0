import { isObjectId } from '../lib/ids.ts';
import { inFlight, isDuplicateKey } from '../store/index.ts';
import { Types } from 'mongoose';
import { LedgerEntry, type LedgerEntryDoc } from '../../models/ledger-entry.ts';
import { PayPeriod, periodId } from '../../models/pay-period.ts';
import { Task } from '../../models/task.ts';
import { Order } from '../../models/order.ts';
import { boardOrders, boardStates, ledgerQueue, workshopStations, workshopTasks as tasksCache } from '../store/index.ts';
import { Membership } from '../../models/membership.ts';
import { hasRoster, readRoster } from './roster.ts';
import { dayKey } from '../lib/format.ts';
import { emit, rooms } from '../realtime/hub.ts';
import { audit } from '../audit/service.ts';
import { applyEntry, markDirty, readSummaries, rebuildSummaries, summaryIds } from './summaries.ts';
import { getMembership, getWorkshop } from './service.ts';
import { Refusal } from '../lib/refusal.ts';

export type Entry = LedgerEntryDoc;

/** A refused ledger write names the form field at fault (the log form shows it beside the field). */
export class LedgerRefusal extends Refusal {
  declare readonly field: string;
  constructor(field: string, key: string, params: Record<string, string> = {}) {
    super(key === 'workshops.errors.periodClosed' ? 'conflict' : 'invalid', key, params, field);
  }
}

export const monthOf = (day: string) => day.slice(0, 7);

export async function isClosed(workshopId: string, month: string): Promise<boolean> {
  return !!(await PayPeriod.exists({ _id: periodId(workshopId, month) }));
}

async function findEntry(id: string): Promise<Entry | null> {
  if (!isObjectId(id)) return null;
  return (await LedgerEntry.findById(id).lean()) as Entry | null;
}

export async function getEntry(workshopId: string, id: string) {
  const e = await findEntry(id);
  if (!e || String(e.workshop) !== workshopId) return null;
  return e;
}

async function byKey(key: string): Promise<Entry | null> {
  return (await LedgerEntry.findOne({ idempotencyKey: key }).lean()) as Entry | null;
}

export interface LogInput {
  workerId: string;
  taskId: string;
  counted: number;
  rejected: number;
  date: string;
  note: string;
  idempotencyKey: string;
  orderId?: string | null;
  batchId?: string | null;
}

/**
 * Appends one piece-work entry. The unique idempotency key makes a double tap, a retry or a
 * resubmitted form return the entry already stored instead of counting twice.
 */
export async function logEntry(actor: Express.User, workshopId: string, input: LogInput): Promise<{ entry: Entry; duplicate: boolean }> {
  // No look-up by key first (a scan on FerretDB): the unique index answers duplicates on insert.
  const w = await getWorkshop(workshopId);
  if (!isObjectId(input.taskId)) throw new LedgerRefusal('taskId', 'errors.choose');
  const task = await Task.findById(input.taskId).lean();
  if (!task || String(task.workshop) !== workshopId) throw new LedgerRefusal('taskId', 'errors.choose');
  if (!task.active) throw new LedgerRefusal('taskId', 'workshops.errors.taskInactive');
  if (!isObjectId(input.workerId)) throw new LedgerRefusal('workerId', 'errors.choose');
  const member = await getMembership(workshopId, input.workerId);
  if (!member) throw new LedgerRefusal('workerId', 'workshops.errors.notMember');
  if (input.rejected > input.counted) throw new LedgerRefusal('rejected', 'workshops.errors.rejectedTooMany');
  if (input.orderId) {
    const order = isObjectId(input.orderId) ? await Order.findById(input.orderId, { workshop: 1, task: 1 }).lean() : null;
    if (!order || String(order.workshop) !== workshopId) throw new LedgerRefusal('orderId', 'errors.choose');
    if (String(order.task) !== String(task._id)) throw new LedgerRefusal('taskId', 'workshops.errors.orderTask');
  }
  if (input.date > dayKey()) throw new LedgerRefusal('date', 'workshops.errors.future');
  const period = monthOf(input.date);
  const accepted = input.counted - input.rejected;
  return insert(workshopId, async () => {
    if (await isClosed(workshopId, period)) throw new LedgerRefusal('date', 'workshops.errors.periodClosed', { month: period });
    const doc = {
      idempotencyKey: input.idempotencyKey,
      workshop: w._id,
      center: w.center,
      worker: member.resident,
      workerName: member.residentName,
      task: task._id,
      taskName: task.name,
      unit: task.unit,
      order: input.orderId ? new Types.ObjectId(input.orderId) : null,
      batch: input.batchId ? new Types.ObjectId(input.batchId) : null,
      kind: 'work',
      date: input.date,
      period,
      counted: input.counted,
      rejected: input.rejected,
      accepted,
      rateFen: task.rateFen,
      amountFen: accepted * task.rateFen,
      note: input.note,
      createdBy: new Types.ObjectId(actor.id),
      createdByName: actor.name,
    };
    return { doc };
  });
}

type Stored = { entry: Entry; duplicate: boolean };
/** What an insert's draft comes to: a document to store, or (a repeat with nothing left to do) the entry already stored. */
type Draft = { doc: Record<string, unknown> } | { stored: Stored };

/**
 * Stores the entry `draft` makes and adds it to the summaries. The draft runs in the workshop's
 * ledger queue with the insert, which closing a period and rebuilding the summaries also take:
 * no entry lands in a month while (or after) its statements are computed, and what a draft
 * reads (a closed period, the totals a correction corrects) stays true until its entry is in.
 */
async function insert(workshopId: string, draft: () => Promise<Draft>): Promise<Stored> {
  const result = await ledgerQueue.run(workshopId, async () => {
    const d = await draft();
    if ('stored' in d) return d.stored;
    // Recorded as in flight under its own id: after a crash, only this entry's summaries are checked (summaries.ts).
    const _id = new Types.ObjectId();
    return inFlight('ledger-entry', String(_id), () => store(workshopId, { ...d.doc, _id }));
  });
  if (result.duplicate) return result;
  if (result.entry.date === dayKey()) void publishBoard(workshopId);
  return result;
}

/** Inserts an entry and adds it to its summaries (in the workshop's ledger queue). */
async function store(workshopId: string, doc: Record<string, unknown>): Promise<Stored> {
  let stored: Stored;
  try {
    stored = { entry: (await LedgerEntry.create(doc)).toObject() as Entry, duplicate: false };
  } catch (err) {
    if (!isDuplicateKey(err)) {
      // The insert may have landed without its answer reaching us (the database went away
      // mid-reply): its summaries were not applied, so the workshop is rebuilt from the ledger.
      markDirty(workshopId);
      throw err;
    }
    const again = await byKey(String(doc.idempotencyKey));
    if (!again) throw err;
    return { entry: again, duplicate: true };
  }
  // The entry is stored (the unique key guards double counting); its summaries follow under
  // the same lock. If they fail half-way (the database went away), the workshop is marked
  // for a rebuild from the ledger; a crash of this process is repaired at the next start.
  try {
    await applyEntry(stored.entry);
  } catch (err) {
    markDirty(workshopId);
    throw err;
  }
  return stored;
}

/**
 * Current totals of an original entry with the corrections made to it so far, which its
 * corrections summary `c:<entry>` adds up (read by _id: the ledger grows by tens of thousands of
 * entries a year, and a query for them would read every one).
 */
export async function effective(original: { _id: Types.ObjectId; counted: number; rejected: number; accepted: number; amountFen: number }) {
  const id = summaryIds.corrections(String(original._id));
  const c = (await readSummaries([id])).get(id)!;
  return {
    counted: original.counted + c.counted,
    rejected: original.rejected + c.rejected,
    accepted: original.accepted + c.accepted,
    amountFen: original.amountFen + c.amountFen,
    corrections: c.entries,
  };
}

/**
 * Fixes an entry by appending a correction: the difference between what stands now and the
 * right counts, at the original's rate. If the original's period is closed, the correction
 * goes into the current period and says which period it corrects.
 */
export async function correctEntry(actor: Express.User, workshopId: string, originalId: string, input: CorrectionInput) {
  // No look-up by key first (a scan on FerretDB): the unique index answers a repeated key on
  // insert, and a repeat whose first copy already landed finds no change left (below).
  const original = await getEntry(workshopId, originalId);
  if (original?.kind !== 'work') throw new LedgerRefusal('_form', 'errors.notFound');
  if (input.rejected > input.counted) throw new LedgerRefusal('rejected', 'workshops.errors.rejectedTooMany');
  // Data from before corrections totals (no roster yet, roster.ts): summed from the ledger once first.
  if (!(await hasRoster(workshopId))) await rebuildSummaries(workshopId);
  const result = await insert(workshopId, async () => {
    // In the ledger queue: no other correction of this entry (nor a rebuild) moves these totals before ours lands.
    const now = await effective(original);
    const counted = input.counted - now.counted;
    const rejected = input.rejected - now.rejected;
    if (counted === 0 && rejected === 0) {
      const existing = await byKey(input.idempotencyKey);
      if (existing) return { stored: { entry: existing, duplicate: true } };
      throw new LedgerRefusal('counted', 'workshops.errors.noChange');
    }
    // Closing a period takes the same queue, so this answer holds until the correction is in.
    const closed = await isClosed(workshopId, original.period);
    return { doc: correctionDoc(actor, original, input, { counted, rejected }, closed) };
  });
  if (!result.duplicate) {
    await audit(actor, {
      action: 'workshop.entry.correct',
      targetType: 'ledgerEntry',
      targetId: String(original._id),
      center: String(original.center),
      details: {
        correction: String(result.entry._id),
        counted: result.entry.counted,
        rejected: result.entry.rejected,
        amountFen: result.entry.amountFen,
        reason: input.reason,
        forClosedPeriod: result.entry.forClosedPeriod || undefined,
      },
    });
  }
  return result;
}

type CorrectionInput = { counted: number; rejected: number; reason: string; idempotencyKey: string };

/** A correction entry: the differences at the original's rate, in the current period if the original's is closed. */
function correctionDoc(actor: Express.User, original: Entry, input: CorrectionInput, d: { counted: number; rejected: number }, closed: boolean) {
  const today = dayKey();
  const period = closed ? monthOf(today) : original.period;
  const accepted = d.counted - d.rejected;
  return {
    idempotencyKey: input.idempotencyKey,
    workshop: original.workshop,
    center: original.center,
    worker: original.worker,
    workerName: original.workerName,
    task: original.task,
    taskName: original.taskName,
    unit: original.unit,
    order: original.order,
    batch: original.batch,
    kind: 'correction',
    corrects: original._id,
    reason: input.reason,
    date: closed ? today : original.date,
    period,
    forClosedPeriod: closed ? original.period : '',
    counted: d.counted,
    rejected: d.rejected,
    accepted,
    rateFen: original.rateFen,
    amountFen: accepted * original.rateFen,
    note: '',
    createdBy: new Types.ObjectId(actor.id),
    createdByName: actor.name,
  };
}

/** A ledger entry as pages show it (plain values; staff pages add who logged it). */
export function entryView(e: Entry) {
  return {
    id: String(e._id),
    date: e.date,
    taskName: e.taskName,
    unit: e.unit,
    counted: e.counted,
    rejected: e.rejected,
    accepted: e.accepted,
    rateFen: e.rateFen,
    amountFen: e.amountFen,
    correction: e.kind === 'correction',
    reason: e.reason,
    forClosedPeriod: e.forClosedPeriod,
  };
}

export async function listEntries(filter: { workshop?: string; worker?: string; period?: string; date?: string }, limit = 200) {
  const q: Record<string, unknown> = {};
  if (filter.workshop) q.workshop = new Types.ObjectId(filter.workshop);
  if (filter.worker) q.worker = new Types.ObjectId(filter.worker);
  if (filter.period) q.period = filter.period;
  if (filter.date) q.date = filter.date;
  return LedgerEntry.find(q).sort({ date: -1, createdAt: -1 }).limit(limit).lean();
}

// ---- the live board ----

export interface BoardState {
  day: string;
  total: number;
  tasks: { id: string; name: string; unit: string; accepted: number }[];
  /** Today's pieces by work station (工位), in station order: no names, no ranking (see stations). */
  stations: { station: number; accepted: number }[];
  orders: { id: string; done: number; quantity: number }[];
}

/**
 * Work stations (工位) 1..n are the workshop's members in the order they joined (its roster,
 * roster.ts): a stable number a worker knows as theirs. The public wall shows stations, never
 * names, and in station order, so nobody is ranked by output in front of the village; names are
 * added for the workshop's own staff.
 */
export function stationNames(workshopId: string): Promise<Record<number, string>> {
  return workshopStations.get(workshopId, async () => {
    const { members } = await readRoster(workshopId);
    const docs = await Promise.all(members.map((m) => Membership.findById(m.id, { residentName: 1 }).lean()));
    return Object.fromEntries(docs.map((d, i) => [i + 1, d?.residentName ?? '']));
  });
}

/** A workshop's tasks (name order), through a short cache: every log form and board shows them. */
export function workshopTasks(workshopId: string) {
  return tasksCache.get(workshopId, () =>
    Task.find({ workshop: new Types.ObjectId(workshopId) }, { name: 1, unit: 1, rateFen: 1, active: 1 })
      .sort({ name: 1 })
      .lean(),
  );
}

/**
 * Today's pieces per task, the total and the top contributions (given names only, no money).
 * Kept for a second or two: a wall board full of viewers should not multiply database reads;
 * an entry logged on this node drops it at once (publishBoard).
 */
export function boardState(workshopId: string): Promise<BoardState> {
  return boardStates.get(workshopId, () => computeBoardState(workshopId));
}

async function computeBoardState(workshopId: string): Promise<BoardState> {
  const day = dayKey();
  // Every read by _id: this runs after each entry, and orders and memberships grow with the years.
  const [summaries, tasks, { orders, members }] = await Promise.all([
    readSummaries([summaryIds.shopDay(workshopId, day)]),
    workshopTasks(workshopId),
    readRoster(workshopId),
  ]);
  const stationOf = new Map(members.map((m, i) => [m.resident, i + 1]));
  let extra = members.length; // someone who logged today but has since left gets a number after the members
  const progress = await readSummaries(orders.map((o) => summaryIds.order(o.id)));
  const s = summaries.get(summaryIds.shopDay(workshopId, day))!;
  return {
    day,
    total: s.accepted,
    tasks: tasks
      .filter((t) => t.active || s.tasks[String(t._id)])
      .map((t) => ({ id: String(t._id), name: t.name, unit: t.unit, accepted: s.tasks[String(t._id)]?.accepted ?? 0 })),
    stations: Object.entries(s.workers)
      .filter(([, w]) => w.accepted > 0)
      .map(([worker, w]) => ({ station: stationOf.get(worker) ?? ++extra, accepted: w.accepted }))
      .sort((a, b) => a.station - b.station),
    orders: orders.map((o) => ({ id: o.id, done: progress.get(summaryIds.order(o.id))!.accepted, quantity: o.quantity })),
  };
}

export async function publishBoard(workshopId: string): Promise<void> {
  boardStates.drop(workshopId);
  boardOrders.drop(workshopId);
  try {
    emit(rooms.workshop(workshopId), 'workshop:board', await boardState(workshopId));
  } catch {
    /* the board catches up on the next entry or reload */
  }
}
