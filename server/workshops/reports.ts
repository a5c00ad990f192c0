import { cached } from '../lib/ttl-cache.ts';
import { User, USER_CACHE_PREFIX } from '../../models/user.ts';
import { dayKey } from '../lib/format.ts';
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
 * The common-prosperity figures for a set of workshops and months, from the month summaries
 * (which equal the ledger; tests compare). A worker active in two workshops counts once.
 */
/**
 * Ids of residents from low-income households. A report needs the status of every worker in it;
 * one cached read of the (few) flagged users beats a scan of all users per report. Any write to
 * users on this node drops it (models/user.ts).
 */
function lowIncomeIds(): Promise<Set<string>> {
  return cached(`${USER_CACHE_PREFIX}low-income`, 30_000, async () => new Set((await User.find({ lowIncome: true }, { _id: 1 }).lean()).map((u) => String(u._id))));
}

/** The month summaries and low-income set a report needs, read once for all its tables. */
export async function reportData(workshopIds: string[], months: string[]) {
  const [sums, low] = await Promise.all([readSummaries(workshopIds.flatMap((w) => months.map((m) => summaryIds.shopMonth(w, m)))), lowIncomeIds()]);
  return { sums, low };
}

export async function figures(workshopIds: string[], months: string[]): Promise<MonthFigures[]> {
  return figuresFrom(await reportData(workshopIds, months), workshopIds, months);
}

/** Figures for some workshops and months, from data already read (see reportData). */
export function figuresFrom(data: { sums: Map<string, SummaryDoc>; low: Set<string> }, workshopIds: string[], months: string[]): MonthFigures[] {
  const { sums, low } = data;
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
