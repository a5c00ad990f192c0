import type { ScheduledJob } from '../scheduler.ts';
import { Workshop } from '../../models/workshop.ts';
import { SummaryKind, WorkSummary } from '../../models/work-summary.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { inFlight, ledgerQueue, retryRead, scopeReports, summaryQueue, workerMonths, type OpenKey } from '../store/index.ts';
import { isObjectId } from '../lib/ids.ts';
import { dirtyWorkshops, markClean, markDirty } from './dirty.ts';
import { rebuildRoster } from './roster.ts';

export { hasDirtySummaries, markDirty } from './dirty.ts';

/** The part of a ledger entry the summaries need. */
export interface EntryLike {
  /** The entry's id (a summary names the last entry added to it). */
  _id?: unknown;
  workshop: unknown;
  worker: unknown;
  workerName: string;
  task: unknown;
  order?: unknown;
  /** On a correction: the entry it corrects. */
  corrects?: unknown;
  date: string;
  period: string;
  counted: number;
  rejected: number;
  accepted: number;
  amountFen: number;
}

export interface TaskTotals {
  accepted: number;
  amountFen: number;
}

export interface SummaryDoc {
  _id: string;
  kind: SummaryKind;
  workshop: string;
  worker: string;
  key: string;
  counted: number;
  rejected: number;
  accepted: number;
  amountFen: number;
  entries: number;
  tasks: Record<string, TaskTotals>;
  workers: Record<string, TaskTotals & { name: string }>;
  /** The ledger entry added last (recoverEntries). */
  last?: string;
  /** On worker-month summaries: the month's days, so a worker's page needs one read, not one per day. */
  days?: Record<string, TaskTotals & { entries: number; tasks?: Record<string, TaskTotals> }>;
}

export const summaryIds = {
  workerDay: (worker: string, workshop: string, day: string) => `${SummaryKind.workerDay}:${worker}:${workshop}:${day}`,
  workerMonth: (worker: string, workshop: string, month: string) => `${SummaryKind.workerMonth}:${worker}:${workshop}:${month}`,
  shopDay: (workshop: string, day: string) => `${SummaryKind.shopDay}:${workshop}:${day}`,
  shopMonth: (workshop: string, month: string) => `${SummaryKind.shopMonth}:${workshop}:${month}`,
  order: (order: string) => `${SummaryKind.order}:${order}`,
  corrections: (entry: string) => `${SummaryKind.corrections}:${entry}`,
};

/** What the public board may show of a name: the given name (名), never the full name. */
export function givenName(full: string): string {
  const name = full.trim();
  if (/^[\u4e00-\u9fff]{2,}$/.test(name)) return name.length >= 3 ? name.slice(1) : name.slice(1) || name;
  return name.split(/\s+/)[0] ?? '';
}

type Target = { id: string; kind: SummaryDoc['kind']; worker: string; key: string };

function targets(e: EntryLike): Target[] {
  const ws = String(e.workshop);
  const w = String(e.worker);
  const list: Target[] = [
    { id: summaryIds.workerDay(w, ws, e.date), kind: SummaryKind.workerDay, worker: w, key: e.date },
    { id: summaryIds.workerMonth(w, ws, e.period), kind: SummaryKind.workerMonth, worker: w, key: e.period },
    { id: summaryIds.shopDay(ws, e.date), kind: SummaryKind.shopDay, worker: '', key: e.date },
    { id: summaryIds.shopMonth(ws, e.period), kind: SummaryKind.shopMonth, worker: '', key: e.period },
  ];
  if (e.order) list.push({ id: summaryIds.order(String(e.order)), kind: SummaryKind.order, worker: '', key: String(e.order) });
  // What an entry's corrections add up to: a correction reads it by _id instead of querying the ledger.
  if (e.corrects) list.push({ id: summaryIds.corrections(String(e.corrects)), kind: SummaryKind.corrections, worker: w, key: String(e.corrects) });
  return list;
}

/** Adds one entry to its summaries (four, plus its order's and, for a correction, its original's), each under its own per-key queue. */
export function applyEntry(e: EntryLike): Promise<void> {
  return applyEntries([e]);
}

/**
 * Adds entries of one workshop (a batch written together, in ledger order) to their summaries:
 * one update per summary, whatever the number of entries that reach it.
 */
export async function applyEntries(entries: EntryLike[]): Promise<void> {
  await Promise.all([...computeSummaries(entries).values()].map(addTo));
  scopeReports.dropAll();
}

/**
 * Adds what `s` holds (entries computed by computeSummaries, as a rebuild counts them) to the
 * stored summary in one update: its numbers by `$inc`, its names and its `last` entry by `$set`.
 * A workshop's entries are written one batch at a time (its ledger queue), so after a crash the
 * batch that was in flight has reached exactly the summaries that name its last entry there
 * (recoverEntries).
 */
function addTo(s: SummaryDoc): Promise<void> {
  const inc: Record<string, number> = {};
  const set: Record<string, string> = {};
  const walk = (doc: object, prefix: string) => {
    for (const [k, v] of Object.entries(doc)) {
      if (typeof v === 'number') inc[prefix + k] = v;
      else if (typeof v === 'string') set[prefix + k] = v;
      else if (v && typeof v === 'object') walk(v, `${prefix}${k}.`);
    }
  };
  const { _id, ...fields } = s;
  walk(fields, '');
  return summaryQueue.run(_id, async () => {
    await WorkSummary.collection.updateOne({ _id } as never, { $inc: inc, $set: set }, { upsert: true });
    workerMonths.drop(_id);
  });
}

/**
 * After a crash: finishes the batches that were in flight (the in-flight journal's keys: a
 * batch's entry ids, comma-separated, in ledger order) by reading each entry and its few
 * summaries by `_id`, adding the batch where a summary does not name its last entry there. An
 * entry whose insert never landed counted nowhere. `byMarker` false (several nodes: another node
 * may have written the workshop since) or a failed write rebuilds the workshop from its ledger.
 */
export async function recoverEntries(open: OpenKey[], byMarker: boolean): Promise<{ added: number; rebuilt: number }> {
  const out = { added: 0, rebuilt: 0 };
  const rebuild = new Set<string>();
  for (const k of open) {
    const ids = k.key.split(',').filter(isObjectId);
    const found = await Promise.all(ids.map((id) => LedgerEntry.findById(id, ENTRY_FIELDS).lean<EntryLike>()));
    const landed = found.filter((e): e is EntryLike => !!e);
    if (!landed.length) continue;
    const workshop = String(landed[0]!.workshop);
    if (k.failed || !byMarker) {
      rebuild.add(workshop);
      continue;
    }
    await ledgerQueue.run(workshop, async () => {
      for (const sum of computeSummaries(landed).values()) {
        const stored = await WorkSummary.findById(sum._id, { last: 1 }).lean<{ last?: string }>();
        if (stored?.last === sum.last) continue;
        await addTo(sum);
        out.added += sum.entries;
      }
    });
  }
  if (out.added) scopeReports.dropAll();
  for (const id of rebuild) await rebuildSummaries(id);
  out.rebuilt = rebuild.size;
  return out;
}

/** The summaries the given entries add up to (what the live documents must equal). */
export function computeSummaries(entries: Iterable<EntryLike>): Map<string, SummaryDoc> {
  const out = new Map<string, SummaryDoc>();
  for (const e of entries) addToSummaries(out, e);
  return out;
}

function addToSummaries(out: Map<string, SummaryDoc>, e: EntryLike): void {
  const task = String(e.task);
  const worker = String(e.worker);
  for (const t of targets(e)) {
    let s = out.get(t.id);
    if (!s) {
      s = {
        _id: t.id,
        kind: t.kind,
        workshop: String(e.workshop),
        worker: t.worker,
        key: t.key,
        counted: 0,
        rejected: 0,
        accepted: 0,
        amountFen: 0,
        entries: 0,
        tasks: {},
        workers: {},
      };
      out.set(t.id, s);
    }
    // As a live batch names it (ledger order is application order within a workshop): a rebuilt summary equals the live one.
    if (e._id) s.last = String(e._id);
    s.counted += e.counted;
    s.rejected += e.rejected;
    s.accepted += e.accepted;
    s.amountFen += e.amountFen;
    s.entries += 1;
    const tt = (s.tasks[task] ??= { accepted: 0, amountFen: 0 });
    tt.accepted += e.accepted;
    tt.amountFen += e.amountFen;
    if (t.kind === SummaryKind.workerMonth) {
      const dd = ((s.days ??= {})[e.date] ??= { accepted: 0, amountFen: 0, entries: 0 });
      dd.accepted += e.accepted;
      dd.amountFen += e.amountFen;
      dd.entries += 1;
      const dt = ((dd.tasks ??= {})[task] ??= { accepted: 0, amountFen: 0 });
      dt.accepted += e.accepted;
      dt.amountFen += e.amountFen;
    }
    if (t.kind === SummaryKind.shopDay || t.kind === SummaryKind.shopMonth) {
      const ww = (s.workers[worker] ??= { accepted: 0, amountFen: 0, name: givenName(e.workerName) });
      ww.accepted += e.accepted;
      ww.amountFen += e.amountFen;
    }
  }
}

const ENTRY_FIELDS = {
  workshop: 1,
  worker: 1,
  workerName: 1,
  task: 1,
  order: 1,
  corrects: 1,
  date: 1,
  period: 1,
  counted: 1,
  rejected: 1,
  accepted: 1,
  amountFen: 1,
} as const;

/**
 * Recomputes every summary of a workshop (or all workshops) from the ledger and replaces the
 * stored ones, and rebuilds its board roster (roster.ts) from its memberships and orders.
 * Repairs a crash between an entry's insert and its summary update; run it when no entries
 * are being logged (e.g. from the seed, a maintenance command or a test).
 */
export async function rebuildSummaries(workshopId?: string): Promise<number> {
  if (!workshopId) {
    let n = 0;
    for (const id of await Workshop.distinct('_id')) n += await rebuildSummaries(String(id));
    return n;
  }
  // Clean from here on: a write that fails while (or after) this runs marks the workshop again.
  markClean(workshopId);
  try {
    const n = await rebuildFromLedger(workshopId);
    await rebuildRoster(workshopId);
    return n;
  } catch (err) {
    markDirty(workshopId);
    throw err;
  }
}

function rebuildFromLedger(workshopId: string): Promise<number> {
  // Under the workshop's ledger lock: no entry is inserted or applied while we recompute. In
  // flight (the journal): a crash mid-way rebuilds it again at the next start.
  return ledgerQueue.run(workshopId, () => inFlight('workshop', workshopId, () => replaceSummaries(workshopId)));
}

async function replaceSummaries(workshopId: string): Promise<number> {
  // Streamed: a town's year of entries need not sit in memory at once, only the totals.
  // A cursor does not pass through the query retry (retryRead, server/store/): a malformed
  // reply restarts the whole read.
  const totals = new Map<string, SummaryDoc>();
  await retryRead(async () => {
    totals.clear();
    for await (const e of LedgerEntry.find({ workshop: workshopId }, ENTRY_FIELDS).lean().cursor({ batchSize: 1000 }))
      addToSummaries(totals, e as unknown as EntryLike);
  });
  const docs = [...totals.values()];
  await WorkSummary.deleteMany({ workshop: workshopId });
  for (let i = 0; i < docs.length; i += 500) await WorkSummary.collection.insertMany(docs.slice(i, i + 500) as never[]);
  scopeReports.dropAll();
  workerMonths.dropAll();
  return docs.length;
}

/** Rebuilds the summaries and roster of workshops marked dirty (dirty.ts; rosters found missing too): a scheduled job. */
export async function repairDirtySummaries(): Promise<number> {
  let n = 0;
  for (const id of dirtyWorkshops()) {
    await rebuildSummaries(id);
    n += 1;
  }
  return n;
}

/** A worker's own month summaries, as readSummaries gives them, through the workerMonths cache. */
export async function readWorkerMonths(ids: string[]): Promise<Map<string, SummaryDoc>> {
  const docs = await Promise.all(ids.map((id) => workerMonths.get(id, async () => (await readSummaries([id])).get(id)!)));
  return new Map(ids.map((id, i) => [id, docs[i]!]));
}

/** Reads summaries by _id (one lookup each); missing ones come back as zeros. */
export async function readSummaries(ids: string[]): Promise<Map<string, SummaryDoc>> {
  const docs = await Promise.all(ids.map((id) => WorkSummary.findById(id).lean()));
  const out = new Map<string, SummaryDoc>();
  ids.forEach((id, i) => {
    const d = docs[i] as unknown as SummaryDoc | null;
    out.set(id, {
      _id: id,
      kind: (d?.kind ?? id.split(':')[0]) as SummaryDoc['kind'],
      workshop: d?.workshop ?? '',
      worker: d?.worker ?? '',
      key: d?.key ?? '',
      counted: d?.counted ?? 0,
      rejected: d?.rejected ?? 0,
      accepted: d?.accepted ?? 0,
      amountFen: d?.amountFen ?? 0,
      entries: d?.entries ?? 0,
      tasks: d?.tasks ?? {},
      workers: d?.workers ?? {},
      days: d?.days ?? {},
    });
  });
  return out;
}

export const summaryRepairJob: ScheduledJob = { name: 'workshops.repairSummaries', everyMs: 5_000, run: repairDirtySummaries };
