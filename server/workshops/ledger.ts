import { isObjectId } from '../lib/ids.ts';
import { groupCommit, inFlight, isDuplicateKey, ledgerQueue } from '../store/index.ts';
import { Types, type mongo } from 'mongoose';
import { LedgerEntry, type LedgerEntryDoc } from '../../models/ledger-entry.ts';
import { LedgerKey } from '../../models/ledger-key.ts';
import { PayPeriod, periodId } from '../../models/pay-period.ts';
import { Task } from '../../models/task.ts';
import { Order } from '../../models/order.ts';
import { hasRoster } from './roster.ts';
import { dayKey } from '../lib/format.ts';
import { audit } from '../audit/service.ts';
import { applyEntries, markDirty, readSummaries, rebuildSummaries, summaryIds } from './summaries.ts';
import { publishBoard } from './board.ts';
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

/** The entry a repeated idempotency key stored: by its key document (models/ledger-key.ts), else from the ledger. */
async function byKey(key: string): Promise<Entry | null> {
  const receipt = await LedgerKey.findById(key).lean();
  const entry = receipt ? await findEntry(String(receipt.entry)) : null;
  if (entry?.idempotencyKey === key) return entry;
  return (await LedgerEntry.findOne({ idempotencyKey: key }).lean()) as Entry | null;
}

/** Files each stored entry under its key, so that a repeat is answered by _id (an unordered insert: one already there is fine). */
async function fileKeys(entries: Entry[]): Promise<void> {
  if (!entries.length) return;
  await LedgerKey.collection.insertMany(entries.map((e) => ({ _id: e.idempotencyKey, entry: e._id })) as never[], { ordered: false }).catch(() => {});
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
  return workBatches.add(workshopId, {
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
  });
}

type Stored = { entry: Entry; duplicate: boolean };
/** What an insert's draft comes to: a document to store, or (a repeat with nothing left to do) the entry already stored. */
type Draft = { doc: Record<string, unknown> } | { stored: Stored };

/** A work entry as logEntry drafts it (its period checked and its id given in the batch). */
type WorkDoc = Record<string, unknown> & { idempotencyKey: string; period: string; date: string };

/**
 * Work entries are written in batches (group commit, server/store/batches.ts): everything logged
 * for a workshop while its ledger queue is busy is written at its next turn, with one closed-
 * period check per month, one insert and one update per summary, so a busy morning costs a few
 * commands per batch instead of per entry. Corrections, which read the totals before them, go
 * one at a time through the same queue (insert).
 */
const workBatches = groupCommit<WorkDoc, Stored>(ledgerQueue, 200, writeWork);

async function writeWork(workshopId: string, docs: WorkDoc[]): Promise<PromiseSettledResult<Stored>[]> {
  const closed = new Set<string>();
  for (const p of new Set(docs.map((d) => d.period))) if (await isClosed(workshopId, p)) closed.add(p);
  const results: PromiseSettledResult<Stored>[] = docs.map((d) =>
    closed.has(d.period)
      ? { status: 'rejected', reason: new LedgerRefusal('date', 'workshops.errors.periodClosed', { month: d.period }) }
      : { status: 'rejected', reason: new Error('entry not stored') },
  );
  const open = docs.flatMap((d, i) => (closed.has(d.period) ? [] : [{ i, doc: { ...d, _id: new Types.ObjectId() } }]));
  if (!open.length) return results;
  // Recorded as in flight under its entries' ids: after a crash, only their summaries are checked
  // (summaries.ts). A batch that failed half-way has answered each entry and stays marked failed.
  await inFlight('ledger-entry', open.map((o) => String(o.doc._id)).join(','), () => storeAll(workshopId, open, results)).catch(() => {});
  if (open.some((o) => results[o.i]!.status === 'fulfilled' && o.doc.date === dayKey())) void publishBoard(workshopId);
  return results;
}

/**
 * Inserts a batch (unordered: a repeated key fails alone) and adds what landed to the summaries;
 * fills in `results`, then throws if the batch failed half-way (the workshop is marked for a rebuild).
 */
async function storeAll(workshopId: string, open: { i: number; doc: WorkDoc & { _id: Types.ObjectId } }[], results: PromiseSettledResult<Stored>[]) {
  let inserted: Entry[];
  let failure: unknown;
  const failed = new Map<number, unknown>();
  try {
    inserted = (
      await LedgerEntry.insertMany(
        open.map((o) => o.doc),
        { ordered: false },
      )
    ).map((d) => d.toObject() as Entry);
  } catch (err) {
    const writeErrors = (err as { writeErrors?: mongo.WriteError[] }).writeErrors;
    // Without an answer per entry, any of them may have landed without its summaries: rebuilt from the ledger.
    if (!writeErrors) markDirty(workshopId);
    for (const we of writeErrors ?? []) failed.set(we.index, isDuplicateKey(we) ? 'duplicate' : we);
    inserted = ((err as { insertedDocs?: { toObject(): unknown }[] }).insertedDocs ?? []).map((d) => d.toObject() as Entry);
    if (!writeErrors) {
      failure = err;
      for (const o of open) results[o.i] = { status: 'rejected', reason: err };
    }
  }
  await fileKeys(inserted);
  const byId = new Map(inserted.map((e) => [String(e._id), e]));
  for (const [n, o] of open.entries()) {
    const entry = byId.get(String(o.doc._id));
    if (entry) results[o.i] = { status: 'fulfilled', value: { entry, duplicate: false } };
    else if (failed.get(n) === 'duplicate') {
      const again = await byKey(o.doc.idempotencyKey);
      results[o.i] = again
        ? { status: 'fulfilled', value: { entry: again, duplicate: true } }
        : { status: 'rejected', reason: new Error('duplicate key without its entry') };
    } else if (failed.has(n)) results[o.i] = { status: 'rejected', reason: failed.get(n) };
  }
  try {
    // In ledger order (the order inserted): the summaries name the batch's last entry (recoverEntries).
    await applyEntries(open.flatMap((o) => byId.get(String(o.doc._id)) ?? []));
  } catch (err) {
    markDirty(workshopId);
    failure = err;
    for (const o of open) if (byId.has(String(o.doc._id))) results[o.i] = { status: 'rejected', reason: err };
  }
  if (failure) throw failure;
}

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
    await fileKeys([stored.entry]);
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
    await applyEntries([stored.entry]);
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
