import { Types } from 'mongoose';
import { stringify } from 'csv-stringify/sync';
import { csvSafe as safe } from '../lib/csv.ts';
import { yuanDigits } from '../lib/format.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { PayPeriod, periodId } from '../../models/pay-period.ts';
import { Membership, membershipId } from '../../models/membership.ts';
import { ledgerQueue, payPeriodQueue } from '../store/index.ts';
import { dayKey } from '../lib/format.ts';
import { audit } from '../audit/service.ts';
import { notify } from '../notifications/service.ts';
import { Refusal } from '../lib/refusal.ts';
import { monthOf } from './ledger.ts';

export const PAY_METHODS = ['cash', 'bank', 'wechat', 'alipay'] as const;
export type PayMethod = (typeof PAY_METHODS)[number];

export interface Statement {
  worker: string;
  name: string;
  phone: string;
  counted: number;
  rejected: number;
  accepted: number;
  amountFen: number;
  entries: number;
}

/** Each worker's statement for a period, straight from the ledger (the source of truth). */
export async function statementsFromLedger(workshopId: string, month: string): Promise<Statement[]> {
  const entries = await LedgerEntry.find(
    { workshop: new Types.ObjectId(workshopId), period: month },
    { worker: 1, workerName: 1, counted: 1, rejected: 1, accepted: 1, amountFen: 1 },
  ).lean();
  const by = new Map<string, Statement>();
  for (const e of entries) {
    const k = String(e.worker);
    const s = by.get(k) ?? { worker: k, name: e.workerName, phone: '', counted: 0, rejected: 0, accepted: 0, amountFen: 0, entries: 0 };
    s.counted += e.counted;
    s.rejected += e.rejected;
    s.accepted += e.accepted;
    s.amountFen += e.amountFen;
    s.entries += 1;
    by.set(k, s);
  }
  const list = [...by.values()];
  const members = await Promise.all(list.map((s) => Membership.findById(membershipId(workshopId, s.worker), { residentPhone: 1 }).lean()));
  for (const [i, s] of list.entries()) s.phone = members[i]?.residentPhone ?? '';
  return list.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

/**
 * Closes a month: statements are computed from the ledger and frozen. Runs under the same
 * lock as entry inserts for that month, so nothing lands in it while it closes.
 */
export async function closePeriod(actor: Express.User, w: { _id: unknown; center: unknown; name: string }, month: string) {
  const workshopId = String(w._id);
  if (month >= monthOf(dayKey())) return { ok: false as const, key: 'workshops.errors.periodNotOver' };
  return ledgerQueue.run(workshopId, async () => {
    const existing = await PayPeriod.findById(periodId(workshopId, month)).lean();
    if (existing) return { ok: true as const, already: true };
    const statements = await statementsFromLedger(workshopId, month);
    try {
      await PayPeriod.create({
        _id: periodId(workshopId, month),
        workshop: new Types.ObjectId(String(w._id)),
        center: new Types.ObjectId(String(w.center)),
        month,
        closedBy: new Types.ObjectId(actor.id),
        closedByName: actor.name,
        accepted: statements.reduce((a, s) => a + s.accepted, 0),
        amountFen: statements.reduce((a, s) => a + s.amountFen, 0),
        statements: statements.map((s) => ({ ...s, worker: new Types.ObjectId(s.worker) })),
      });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return { ok: true as const, already: true };
      throw err;
    }
    await audit(actor, {
      action: 'workshop.period.close',
      targetType: 'workshop',
      targetId: workshopId,
      center: String(w.center),
      details: { month, workers: statements.length },
    });
    for (const s of statements) await notify(s.worker, 'workshopStatement', { workshop: w.name, month }, `/me/work`);
    return { ok: true as const, already: false };
  });
}

export async function getPeriod(workshopId: string, month: string) {
  if (!/^\d{4}-\d{2}$/.test(month)) throw new Refusal('not-found', 'errors.notFound');
  return PayPeriod.findById(periodId(workshopId, month)).lean();
}

export async function listPeriods(workshopId: string) {
  return PayPeriod.find({ workshop: new Types.ObjectId(workshopId) }, { statements: 0 })
    .sort({ month: -1 })
    .lean();
}

/** Marks one worker's statement paid (date and method); the amounts never change. */
export async function markPaid(
  actor: Express.User,
  w: { _id: unknown; center: unknown },
  month: string,
  workerId: string,
  input: { paidAt: string; method: PayMethod },
) {
  const id = periodId(String(w._id), month);
  await payPeriodQueue.run(id, async () => {
    const p = await PayPeriod.findById(id);
    if (!p) throw new Refusal('not-found', 'errors.notFound');
    const s = p.statements.find((x) => String(x.worker) === workerId);
    if (!s) throw new Refusal('not-found', 'errors.notFound');
    s.paidAt = input.paidAt;
    s.method = input.method;
    s.paidBy = actor.name;
    await p.save();
  });
  await notify(workerId, 'workshopPaid', { month }, '/me/work');
  await audit(actor, {
    action: 'workshop.period.paid',
    targetType: 'user',
    targetId: workerId,
    center: String(w.center),
    details: { workshop: String(w._id), month, ...input },
  });
}

/** CSV for Excel: UTF-8 with a BOM so Chinese text opens correctly; money in yuan with 2 decimals. */
export function periodCsv(
  p: {
    month: string;
    statements: {
      name: string;
      phone?: string | null;
      counted: number;
      rejected: number;
      accepted: number;
      amountFen: number;
      paidAt?: string | null;
      method?: string | null;
    }[];
  },
  t: (key: string) => string,
  workshopName: string,
): string {
  const rows: (string | number)[][] = [
    [
      t('workshops.csv.workshop'),
      t('workshops.csv.month'),
      t('workshops.csv.name'),
      t('workshops.csv.phone'),
      t('workshops.csv.counted'),
      t('workshops.csv.rejected'),
      t('workshops.csv.accepted'),
      t('workshops.csv.amount'),
      t('workshops.csv.paidAt'),
      t('workshops.csv.method'),
    ],
  ];
  // Text a spreadsheet would run as a formula gets a leading apostrophe (csvSafe); phone numbers
  // a leading tab so Excel keeps them as text instead of 1.38E+10.
  for (const s of p.statements) {
    rows.push([
      safe(workshopName),
      p.month,
      safe(s.name),
      s.phone ? `\t${s.phone}` : '',
      s.counted,
      s.rejected,
      s.accepted,
      yuanDigits(s.amountFen),
      s.paidAt ?? '',
      s.method ? t(`workshops.pay.methods.${s.method}`) : '',
    ]);
  }
  const total = p.statements.reduce((a, s) => a + s.amountFen, 0);
  rows.push([safe(workshopName), p.month, t('workshops.csv.total'), '', '', '', p.statements.reduce((a, s) => a + s.accepted, 0), yuanDigits(total), '', '']);
  return `\ufeff${stringify(rows, { record_delimiter: '\r\n' })}`;
}
