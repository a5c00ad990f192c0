import { Types } from 'mongoose';
import { Membership } from '../../models/membership.ts';
import { PayPeriod } from '../../models/pay-period.ts';
import { dayKey } from '../lib/format.ts';
import { payPeriods, residentMemberships } from '../store/index.ts';
import { readWorkerMonths, summaryIds } from './summaries.ts';
import { entryView, listEntries } from './ledger.ts';
import { workshopTasks } from './board.ts';
import { dayAnswers } from './disputes.ts';
import { findWorkshop } from './service.ts';

/** Monday..today of the current week, as day keys. */
export function weekDays(today = dayKey()): string[] {
  const d = new Date(`${today}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  const out: string[] = [];
  for (let i = back; i >= 0; i--) out.push(new Date(d.getTime() - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

export function lastDays(n: number, today = dayKey()): string[] {
  const d = new Date(`${today}T00:00:00Z`);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(new Date(d.getTime() - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

/** Everything a worker's own page shows: only this worker's numbers, read from summaries by _id. */
export async function myWork(userId: string) {
  const today = dayKey();
  const month = today.slice(0, 7);
  const week = weekDays(today);
  const recent = lastDays(7, today);
  // Memberships, tasks and closed periods change rarely: short caches spare a scan of each per view.
  const memberships = await residentMemberships.get(userId, () => Membership.find({ resident: new Types.ObjectId(userId) }).lean());
  return Promise.all(
    memberships.map(async (m) => {
      const ws = String(m.workshop);
      // The worker-month summaries carry per-day totals: this month's and, when the week or the
      // last seven days reach back into it, last month's — one or two reads, not one per day.
      const months = [...new Set([...week, ...recent].map((d) => d.slice(0, 7)))];
      const [w, tasks, sums, periods, answers] = await Promise.all([
        findWorkshop(ws),
        workshopTasks(ws),
        readWorkerMonths(months.map((mo) => summaryIds.workerMonth(userId, ws, mo))),
        payPeriods.get(ws, () => PayPeriod.find({ workshop: m.workshop }).sort({ month: -1 }).lean()),
        dayAnswers(userId, ws, recent),
      ]);
      const none = { accepted: 0, amountFen: 0, entries: 0, tasks: undefined as Record<string, { accepted: number; amountFen: number }> | undefined };
      const day = (d: string) => sums.get(summaryIds.workerMonth(userId, ws, d.slice(0, 7)))?.days?.[d] ?? none;
      const monthSum = sums.get(summaryIds.workerMonth(userId, ws, month))!;
      const taskInfo = new Map(tasks.map((t) => [String(t._id), t]));
      // Pieces are only added up within one task (one unit: 个 and 盏 never make one total).
      const perTask = (byId: Record<string, { accepted: number; amountFen: number }> | undefined) =>
        Object.entries(byId ?? {})
          .map(([id, t]) => ({ name: taskInfo.get(id)?.name ?? '', unit: taskInfo.get(id)?.unit ?? '', accepted: t.accepted, amountFen: t.amountFen }))
          .filter((t) => t.accepted !== 0 || t.amountFen !== 0);
      const sumDays = (days: string[]) => {
        const byTask: Record<string, { accepted: number; amountFen: number }> = {};
        let amountFen = 0;
        for (const d of days) {
          amountFen += day(d).amountFen;
          for (const [id, t] of Object.entries(day(d).tasks ?? {})) {
            const x = (byTask[id] ??= { accepted: 0, amountFen: 0 });
            x.accepted += t.accepted;
            x.amountFen += t.amountFen;
          }
        }
        return { amountFen, tasks: perTask(byTask) };
      };
      return {
        workshop: { id: ws, name: w?.name ?? '' },
        tasks: tasks.filter((t) => t.active).map((t) => ({ id: String(t._id), name: t.name, unit: t.unit })),
        range: { today, weekStart: week[0]!, monthStart: `${month}-01` },
        today: sumDays([today]),
        week: sumDays(week),
        month: { amountFen: monthSum.amountFen, tasks: perTask(monthSum.tasks) },
        byTask: perTask(monthSum.tasks),
        days: recent
          .filter((d) => day(d).entries > 0)
          .map((d) => ({
            date: d,
            accepted: day(d).accepted,
            amountFen: day(d).amountFen,
            tasks: perTask(day(d).tasks),
            answer: answers.get(d)?.status ?? '',
            reply: answers.get(d)?.reply ?? '',
          })),
        periods: periods
          .map((p) => {
            const s = p.statements.find((x) => String(x.worker) === userId);
            return s ? { month: p.month, accepted: s.accepted, amountFen: s.amountFen, paidAt: s.paidAt, method: s.method } : null;
          })
          .filter(Boolean),
      };
    }),
  );
}

/** One worker's entries in one workshop and month (read on demand: the ledger is large). */
export async function myHistory(userId: string, workshopId: string, month: string) {
  const entries = await listEntries({ workshop: workshopId, worker: userId, period: month }, 1000);
  return entries.map(entryView);
}
