import { Types } from 'mongoose';
import { PayRecord } from '../../models/pay-record.ts';
import { PayAnswer, type PayAnswerValue } from '../../models/pay-answer.ts';
import { ArrearsCase } from '../../models/arrears-case.ts';
import { Refusal } from '../lib/refusal.ts';
import { getCenter } from '../centers/tree.ts';
import { deferredRepair } from '../scheduler.ts';
import { arrearsQueue } from '../store/index.ts';
import { isObjectId } from '../lib/ids.ts';

// An employer's pay record: one document per employer under its user id, read by _id on every
// publish and on the public profile (never a count at render time). Changes are $inc through
// the employer's arrears queue (callers hold it); `rebuildPayRecords` recounts from the answers
// and cases, after a write failed half-way and after an unclean stop.

export interface PayRecordView {
  onTime: number;
  late: number;
  unpaid: number;
  openCases: number;
  /** Answered jobs: the denominator of "paid on time N of M" (unanswered ones never count). */
  answered: number;
}

export async function payRecord(employerUserId: string): Promise<PayRecordView> {
  const r = await PayRecord.findById(employerUserId, { onTime: 1, late: 1, unpaid: 1, openCases: 1 }).lean();
  const onTime = Math.max(0, r?.onTime ?? 0);
  const late = Math.max(0, r?.late ?? 0);
  const unpaid = Math.max(0, r?.unpaid ?? 0);
  return { onTime, late, unpaid, openCases: Math.max(0, r?.openCases ?? 0), answered: onTime + late + unpaid };
}

/** Adds to an employer's record; the caller runs it inside `arrearsQueue.run(employer, …)`. */
export async function bumpRecord(employerUserId: string, inc: Partial<Record<PayAnswerValue | 'openCases', number>>): Promise<void> {
  try {
    await PayRecord.updateOne({ _id: employerUserId }, { $inc: inc }, { upsert: true });
  } catch (err) {
    recordRepair.schedule(); // the answer or case is stored but not yet counted
    throw err;
  }
}

/**
 * The publishing guard: an employer with an open arrears case cannot publish (submit for
 * review, be approved, reopen). The check reads one document by _id; only a refusal looks up
 * which case and center to name, so the employer knows why and whom to call.
 */
export async function assertMayPublish(employerUserId: string): Promise<void> {
  const r = await PayRecord.findById(String(employerUserId), { openCases: 1 }).lean();
  if (!r || r.openCases <= 0) return;
  const open = await ArrearsCase.findOne(
    { employer: new Types.ObjectId(String(employerUserId)), state: 'open' },
    { postingTitle: 1, workerName: 1, center: 1 },
  ).lean();
  const center = open ? await getCenter(String(open.center)) : undefined;
  throw new Refusal('conflict', 'arrears.errors.openCase', { title: open?.postingTitle ?? '—', center: center?.name ?? '—', phone: center?.phone || '—' });
}

type Counts = { onTime: number; late: number; unpaid: number; openCases: number };
const zero = (): Counts => ({ onTime: 0, late: 0, unpaid: 0, openCases: 0 });
const same = (a: Counts, b: Partial<Counts>) => a.onTime === b.onTime && a.late === b.late && a.unpaid === b.unpaid && a.openCases === b.openCases;

async function countsFrom(filter: Record<string, unknown>): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  const of = (id: string) => out.get(id) ?? out.set(id, zero()).get(id)!;
  for (const a of await PayAnswer.find(filter, { employer: 1, answer: 1 }).lean()) of(String(a.employer))[a.answer as PayAnswerValue] += 1;
  for (const c of await ArrearsCase.find({ ...filter, state: 'open' }, { employer: 1 }).lean()) of(String(c.employer)).openCases += 1;
  return out;
}

/**
 * Recounts every employer's record (or only `employers`', the keys in flight at a crash) from the
 * answers and cases and fixes those that differ. A differing one is counted again inside its
 * employer's queue, so an answer landing while the rebuild runs is neither lost nor counted
 * twice. Returns how many were fixed.
 */
export async function rebuildPayRecords(employers?: string[]): Promise<number> {
  const some = employers?.filter(isObjectId);
  const want = await countsFrom(some ? { employer: { $in: some.map((id) => new Types.ObjectId(id)) } } : {});
  if (some) for (const id of some) if (!want.has(id)) want.set(id, zero());
  const have = new Map((await PayRecord.find(some ? { _id: { $in: some } } : {}).lean()).map((h) => [String(h._id), h]));
  for (const id of have.keys()) if (!want.has(id)) want.set(id, zero());
  let fixed = 0;
  for (const [id, v] of want) {
    const h = have.get(id);
    if (h && same(v, h)) continue;
    await arrearsQueue.run(id, async () => {
      const now = (await countsFrom({ employer: new Types.ObjectId(id) })).get(id) ?? zero();
      await PayRecord.updateOne({ _id: id }, { $set: now }, { upsert: true });
    });
    fixed += 1;
  }
  return fixed;
}

/** Runs once some time after an answer or case was stored but its count failed. */
export const recordRepair = deferredRepair('arrears.rebuildRecords', () => rebuildPayRecords());
