import { Types } from 'mongoose';
import { User } from '../../models/user.ts';
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
export async function figures(workshopIds: string[], months: string[]): Promise<MonthFigures[]> {
  const ids = workshopIds.flatMap((w) => months.map((m) => summaryIds.shopMonth(w, m)));
  const sums = await readSummaries(ids);
  const workerIds = new Set<string>();
  for (const s of sums.values()) for (const w of Object.keys(s.workers)) workerIds.add(w);
  const low = new Set(
    workerIds.size
      ? (await User.find({ _id: { $in: [...workerIds].map((id) => new Types.ObjectId(id)) }, lowIncome: true }, { _id: 1 }).lean()).map((u) => String(u._id))
      : [],
  );
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
