import { scopeReports } from '../store/index.ts';
import { allCenters, subtreeIds } from '../centers/tree.ts';
import { listWorkshops, workshopsInScope } from './service.ts';
import { User } from '../../models/user.ts';
import { dayKey } from '../lib/format.ts';
import { isObjectId } from '../lib/ids.ts';
import { readSummaries, summaryIds, type SummaryDoc } from './summaries.ts';

export function lastMonths(n: number, from = dayKey().slice(0, 7)): string[] {
  const [y, m] = from.split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

export interface MonthFigures {
  month: string;
  activeWorkers: number;
  lowIncomeWorkers: number;
  accepted: number;
  paidFen: number;
  paidLowIncomeFen: number;
}

/**
 * Which of a report's workers are from low-income households, read by `_id`: as many reads as
 * workers in the report, however many residents the center has registered over the years.
 */
async function lowIncomeAmong(workerIds: Iterable<string>): Promise<Set<string>> {
  const ids = [...new Set(workerIds)].filter(isObjectId);
  const users = await Promise.all(ids.map((id) => User.findById(id, { lowIncome: 1 }).lean()));
  return new Set(users.flatMap((u) => (u?.lowIncome ? [String(u._id)] : [])));
}

type ReportData = { sums: Map<string, SummaryDoc>; low: Set<string> };

/** The month summaries a report needs and which of their workers are low-income, read once for all its tables. */
async function reportData(workshopIds: string[], months: string[]): Promise<ReportData> {
  const sums = await readSummaries(workshopIds.flatMap((w) => months.map((m) => summaryIds.shopMonth(w, m))));
  return { sums, low: await lowIncomeAmong([...sums.values()].flatMap((s) => Object.keys(s.workers))) };
}

/**
 * The common-prosperity figures for a set of workshops and months, from the month summaries
 * (which equal the ledger; tests compare). A worker active in two workshops counts once.
 */
export async function figures(workshopIds: string[], months: string[]): Promise<MonthFigures[]> {
  return figuresFrom(await reportData(workshopIds, months), workshopIds, months);
}

function figuresFrom({ sums, low }: ReportData, workshopIds: string[], months: string[]): MonthFigures[] {
  return months.map((month) => {
    const per = new Map<string, number>();
    let accepted = 0;
    let paid = 0;
    for (const w of workshopIds) {
      const s = sums.get(summaryIds.shopMonth(w, month)) as SummaryDoc;
      accepted += s.accepted;
      paid += s.amountFen;
      for (const [id, t] of Object.entries(s.workers)) per.set(id, (per.get(id) ?? 0) + t.amountFen);
    }
    const active = [...per.entries()].filter(([, fen]) => fen !== 0);
    return {
      month,
      activeWorkers: active.length,
      lowIncomeWorkers: active.filter(([id]) => low.has(id)).length,
      accepted,
      paidFen: paid,
      paidLowIncomeFen: [...per.entries()].filter(([id]) => low.has(id)).reduce((a, [, fen]) => a + fen, 0),
    };
  });
}

export interface ScopeReport {
  /** Six months, oldest first. */
  trend: MonthFigures[];
  /** This month, per workshop in scope (name order). */
  workshops: { id: string; name: string; figures: MonthFigures }[];
  /** This month, per center in scope (itself and those below) that has workshops. */
  centers: { id: string; workshops: number; figures: MonthFigures }[];
}

/**
 * The report for a center and everything below it (null: every center). Kept for 30 s, since
 * it is many reads and much arithmetic and staff reload it: an entry applied or a summary
 * rebuilt on this node, or any change to a user (low-income status), drops it at once; entries
 * logged on other nodes show within that time.
 */
export function scopeReport(centerId: string | null): Promise<ScopeReport> {
  const months = lastMonths(6);
  return scopeReports.get(`${centerId ?? 'all'}:${months.at(-1)}`, async () => {
    const list = centerId ? await workshopsInScope(centerId) : await listWorkshops();
    const ids = list.map((w) => String(w._id));
    const data = await reportData(ids, months);
    const thisMonth = months.slice(-1);
    const centers: ScopeReport['centers'] = [];
    for (const c of centerId ? await subtreeIds(centerId) : (await allCenters()).map((n) => n.id)) {
      const below = new Set(await subtreeIds(c));
      const ws = ids.filter((_, i) => below.has(String(list[i]!.center)));
      if (ws.length) centers.push({ id: c, workshops: ws.length, figures: figuresFrom(data, ws, thisMonth)[0]! });
    }
    return {
      trend: figuresFrom(data, ids, months),
      workshops: list.map((w) => ({ id: String(w._id), name: w.name, figures: figuresFrom(data, [String(w._id)], thisMonth)[0]! })),
      centers,
    };
  });
}
