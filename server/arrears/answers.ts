import { Types } from 'mongoose';
import { Application } from '../../models/application.ts';
import { Posting } from '../../models/posting.ts';
import { User } from '../../models/user.ts';
import { PayAnswer, payAnswerId, type PayAnswerValue } from '../../models/pay-answer.ts';
import { PayAsk } from '../../models/pay-ask.ts';
import { ArrearsCase } from '../../models/arrears-case.ts';
import { Refusal } from '../lib/refusal.ts';
import { audit } from '../audit/service.ts';
import { notify } from '../notifications/service.ts';
import { getCenter } from '../centers/tree.ts';
import { dayKey } from '../lib/format.ts';
import { arrearsQueue, isDuplicateKey } from '../store/index.ts';
import type { ScheduledJob } from '../scheduler.ts';
import { bumpRecord } from './record.ts';
import { closeCase } from './cases.ts';
import { myApplications } from '../gigs/service/applications.ts';
import { postingSlots } from '../gigs/service/slots.ts';

// "Were you paid?" (按时发了 / 晚发了 / 没发): asked of every hired worker once a job's last day
// has passed, answered by the worker or by staff at the desk on the worker's behalf. A "not
// paid" opens an arrears case for the staff of the posting's center.

const validId = (id: string) => /^[a-f\d]{24}$/i.test(id);

/** The question is due from the day after the last day (center time). */
export const isDue = (endDay: string, today = dayKey()) => endDay < today;

export interface PayQuestion {
  /** `<posting>:<worker>`: the answer's and the case's _id. */
  id: string;
  endDay: string;
  answer: PayAnswerValue | null;
  answeredAt: Date | null;
  onBehalf: boolean;
  caseState: 'open' | 'resolved' | null;
}

/** The pay question on one of a worker's applications: only hired, only after the last day. Reads by _id. */
export async function payQuestion(workerId: string, app: { posting: unknown; status: string }): Promise<PayQuestion | null> {
  if (app.status !== 'accepted') return null;
  const p = await Posting.findById(app.posting, { endDay: 1 }).lean();
  if (!p || !isDue(p.endDay)) return null;
  const id = payAnswerId(String(app.posting), workerId);
  const a = await PayAnswer.findById(id, { answer: 1, answeredAt: 1, onBehalf: 1 }).lean();
  const c = a?.answer === 'unpaid' || a?.answer === 'late' ? await ArrearsCase.findById(id, { state: 1 }).lean() : null;
  return {
    id,
    endDay: p.endDay,
    answer: (a?.answer as PayAnswerValue) ?? null,
    answeredAt: a?.answeredAt ?? null,
    onBehalf: !!a?.onBehalf,
    caseState: (c?.state as 'open' | 'resolved') ?? null,
  };
}

/** Every pay question due on a worker's jobs (for the staff desk), newest application first. */
export async function payQuestionsOf(workerId: string) {
  const out: { applicationId: string; title: string; q: PayQuestion }[] = [];
  for (const a of await myApplications(workerId)) {
    const q = await payQuestion(workerId, a);
    if (q) out.push({ applicationId: String(a._id), title: a.postingTitle, q });
  }
  return out;
}

/** The worker's hired application and its posting, or not found (the same for anyone else's). */
async function hiredJob(workerId: string, applicationId: string) {
  if (!validId(applicationId)) throw new Refusal('not-found', 'errors.notFound');
  const a = await Application.findById(applicationId, { posting: 1, resident: 1, status: 1 }).lean();
  if (!a || String(a.resident) !== workerId || a.status !== 'accepted') throw new Refusal('not-found', 'errors.notFound');
  const p = await Posting.findById(a.posting, {
    title: 1,
    employer: 1,
    employerName: 1,
    center: 1,
    centerPath: 1,
    startDay: 1,
    endDay: 1,
    payFen: 1,
    payType: 1,
  }).lean();
  if (!p) throw new Refusal('not-found', 'errors.notFound');
  if (!isDue(p.endDay)) throw new Refusal('conflict', 'arrears.errors.tooEarly');
  return p;
}

// At the desk, one audited action per answer, so the log says it in words.
const DESK_ACTION: Record<PayAnswerValue, string> = { onTime: 'arrears.desk.onTime', late: 'arrears.desk.late', unpaid: 'arrears.desk.unpaid' };

type Job = Awaited<ReturnType<typeof hiredJob>>;
type Outcome = 'answered' | 'changed';

/** Stores the answer (or the one change allowed: "not paid" → "paid late") inside the employer's queue. */
async function storeAnswer(
  actor: Express.User,
  worker: { id: string; name: string; phone: string },
  p: Job,
  answer: PayAnswerValue,
  onBehalf: boolean,
): Promise<Outcome> {
  const id = payAnswerId(String(p._id), worker.id);
  const employer = String(p.employer);
  return arrearsQueue.run(employer, async () => {
    try {
      await PayAnswer.create({
        _id: id,
        posting: p._id,
        worker: new Types.ObjectId(worker.id),
        employer: p.employer,
        center: p.center,
        answer,
        by: new Types.ObjectId(actor.id),
        onBehalf,
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const before = await PayAnswer.findById(id, { answer: 1 }).lean();
      // Paid after all: the only change, and it can only move towards paid.
      if (before?.answer !== 'unpaid' || answer !== 'late') throw new Refusal('conflict', 'arrears.errors.answered');
      await PayAnswer.updateOne({ _id: id }, { $set: { answer: 'late', changedAt: new Date() } });
      await bumpRecord(employer, { unpaid: -1, late: 1 });
      return 'changed';
    }
    await bumpRecord(employer, { [answer]: 1 });
    if (answer === 'unpaid') {
      await ArrearsCase.create({
        _id: id,
        posting: p._id,
        worker: new Types.ObjectId(worker.id),
        employer: p.employer,
        center: p.center,
        centerPath: p.centerPath,
        postingTitle: p.title,
        employerName: p.employerName,
        workerName: worker.name,
        workerPhone: worker.phone,
        startDay: p.startDay,
        endDay: p.endDay,
        payFen: p.payFen,
        payType: p.payType,
      });
      await bumpRecord(employer, { openCases: 1 });
    }
    return 'answered';
  });
}

/**
 * A hired worker's answer about pay, by the worker (`actor` is the worker) or by staff at the
 * desk (`actor` is staff; the route has checked the worker is in their scope). Audited when
 * given at the desk, when it opens a case and when "not paid" becomes "paid late".
 */
export async function answerPay(actor: Express.User, workerId: string, applicationId: string, answer: PayAnswerValue): Promise<Outcome> {
  const onBehalf = actor.id !== workerId;
  const p = await hiredJob(workerId, applicationId);
  const w = await User.findById(workerId, { name: 1, phone: 1 }).lean();
  if (!w) throw new Refusal('not-found', 'errors.notFound');
  const outcome = await storeAnswer(actor, { id: workerId, name: w.name, phone: w.phone }, p, answer, onBehalf);
  const postingId = String(p._id);
  const details = { title: p.title, worker: workerId, employer: p.employerName };
  const entry = { targetType: 'posting', targetId: postingId, center: String(p.center) };
  if (onBehalf) await audit(actor, { action: DESK_ACTION[answer], ...entry, details });
  if (outcome === 'changed') {
    await audit(actor, { action: 'arrears.answer.change', ...entry, details });
    await closeCase(actor, payAnswerId(postingId, workerId), 'paid', '');
  } else if (answer === 'unpaid') {
    await audit(actor, { action: 'arrears.case.open', ...entry, details });
    const center = await getCenter(String(p.center));
    await notify(String(p.employer), 'arrearsCaseOpened', { title: p.title, center: center?.name ?? '', phone: center?.phone ?? '' }, '/employer/postings');
  }
  return outcome;
}

/** Hired workers of jobs that ended in the last week are asked once (claimed by inserting `<posting>:<worker>`). */
export async function askAboutPay(today = dayKey()): Promise<number> {
  const since = dayKey(new Date(Date.now() - 8 * 24 * 3600_000));
  const ended = await Posting.find(
    { endDay: { $lt: today, $gte: since }, status: { $in: ['published', 'filled', 'expired', 'closed'] } },
    { title: 1, headcount: 1 },
  ).lean();
  if (!ended.length) return 0;
  const titles = new Map(ended.map((p) => [String(p._id), p.title]));
  // The hired hold the postings' slots: each slot and its application read by `_id` (a filter
  // on applications would read every application of the years, every ten minutes).
  const slots = (await Promise.all(ended.map((p) => postingSlots(String(p._id), p.headcount)))).flat();
  const apps = await Promise.all(slots.map((s) => Application.findById(s.application, { posting: 1, resident: 1, status: 1 }).lean()));
  const hired = apps.filter((a) => a?.status === 'accepted').map((a) => a!);
  let sent = 0;
  for (const a of hired) {
    try {
      await PayAsk.create({ _id: payAnswerId(String(a.posting), String(a.resident)) });
    } catch (err) {
      if (isDuplicateKey(err)) continue;
      throw err;
    }
    await notify(String(a.resident), 'arrearsAsk', { title: titles.get(String(a.posting)) ?? '' }, `/me/applications#pay-${String(a._id)}`);
    sent += 1;
  }
  return sent;
}

export const payAskJob: ScheduledJob = { name: 'arrears.ask', everyMs: 10 * 60_000, run: () => askAboutPay() };
