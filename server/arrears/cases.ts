import { Types } from 'mongoose';
import { ArrearsCase, type CaseResolution } from '../../models/arrears-case.ts';
import { PayAnswer } from '../../models/pay-answer.ts';
import { Refusal } from '../lib/refusal.ts';
import { canActOnCenter } from '../centers/scope.ts';
import { audit } from '../audit/service.ts';
import { notify } from '../notifications/service.ts';
import { arrearsQueue } from '../store/index.ts';
import { bumpRecord, payRecord } from './record.ts';

// Arrears cases as staff handle them: the open ones of their centers, notes, a resolution.

const CASE_ID = /^[a-f\d]{24}:[a-f\d]{24}$/i;

// One audited action per way a case ends, so the log says it in words.
const RESOLVE_ACTION: Record<CaseResolution, string> = { paid: 'arrears.case.paid', referred: 'arrears.case.referred', other: 'arrears.case.closed' };

/** Open cases (oldest first) and the latest resolved ones of the staff member's centers. */
export async function casesInScope(actor: Express.User) {
  const scope = actor.role === 'admin' ? {} : { centerPath: new Types.ObjectId(actor.staffCenter ?? actor.homeCenter) };
  const fields = { postingTitle: 1, employerName: 1, workerName: 1, center: 1, endDay: 1, openedAt: 1, state: 1, resolution: 1, resolvedAt: 1 };
  const [open, resolved] = await Promise.all([
    ArrearsCase.find({ state: 'open', ...scope }, fields)
      .sort({ openedAt: 1 })
      .limit(200)
      .lean(),
    ArrearsCase.find({ state: 'resolved', ...scope }, fields)
      .sort({ resolvedAt: -1 })
      .limit(30)
      .lean(),
  ]);
  return { open, resolved };
}

/** A case the staff member may handle; another center's answers exactly like an unknown one. */
export async function caseInScope(actor: Express.User, id: string) {
  const c = CASE_ID.test(id) ? await ArrearsCase.findById(id).lean() : null;
  if (!c || !(await canActOnCenter(actor, String(c.center)))) throw new Refusal('not-found', 'errors.notFound');
  return c;
}

/** The employer's own open cases (their postings pages say so, with whom to call); the record by _id first, so most pages scan nothing. */
export async function openCasesOfEmployer(employerUserId: string) {
  if (!(await payRecord(employerUserId)).openCases) return [];
  return ArrearsCase.find(
    { employer: new Types.ObjectId(employerUserId), state: 'open' },
    { postingTitle: 1, workerName: 1, center: 1, endDay: 1, openedAt: 1 },
  )
    .sort({ openedAt: 1 })
    .limit(20)
    .lean();
}

export async function addNote(actor: Express.User, id: string, text: string): Promise<void> {
  const c = await caseInScope(actor, id);
  await arrearsQueue.run(String(c.employer), async () => {
    const now = await ArrearsCase.findById(id, { state: 1 }).lean();
    if (now?.state !== 'open') throw new Refusal('conflict', 'arrears.errors.resolved');
    await ArrearsCase.updateOne({ _id: id }, { $push: { notes: { at: new Date(), by: new Types.ObjectId(actor.id), byName: actor.name, text } } });
  });
  await audit(actor, {
    action: 'arrears.case.note',
    targetType: 'posting',
    targetId: String(c.posting),
    center: String(c.center),
    details: { title: c.postingTitle, worker: String(c.worker), employer: c.employerName, text },
  });
}

/**
 * Marks a case resolved inside the employer's queue and lifts it from their open count. "Paid
 * after all" also turns the worker's "not paid" into "paid late" (the record stays exact).
 * Used by staff (resolveCase) and when the worker says they were paid after all.
 */
export async function closeCase(actor: Express.User, id: string, resolution: CaseResolution, text: string): Promise<boolean> {
  const c = await ArrearsCase.findById(id, { employer: 1, worker: 1, posting: 1, center: 1, postingTitle: 1, employerName: 1 }).lean();
  if (!c) return false;
  const employer = String(c.employer);
  const closed = await arrearsQueue.run(employer, async () => {
    const res = await ArrearsCase.updateOne(
      { _id: id, state: 'open' },
      { $set: { state: 'resolved', resolution, resolutionText: text, resolvedBy: actor.name, resolvedAt: new Date() } },
    );
    if (!res.modifiedCount) return false;
    await bumpRecord(employer, { openCases: -1 });
    if (resolution === 'paid') {
      const changed = await PayAnswer.updateOne({ _id: id, answer: 'unpaid' }, { $set: { answer: 'late', changedAt: new Date() } });
      if (changed.modifiedCount) await bumpRecord(employer, { unpaid: -1, late: 1 });
    }
    return true;
  });
  if (!closed) return false;
  await audit(actor, {
    action: RESOLVE_ACTION[resolution],
    targetType: 'posting',
    targetId: String(c.posting),
    center: String(c.center),
    details: { title: c.postingTitle, worker: String(c.worker), employer: c.employerName, text: text || undefined },
  });
  const params = { title: c.postingTitle };
  await notify(employer, 'arrearsCaseResolved', params, '/employer/postings');
  if (actor.id !== String(c.worker)) await notify(String(c.worker), 'arrearsCaseResolved', params, '/me/applications');
  return true;
}

export async function resolveCase(actor: Express.User, id: string, resolution: CaseResolution, text: string): Promise<void> {
  await caseInScope(actor, id);
  if (!(await closeCase(actor, id, resolution, text))) throw new Refusal('conflict', 'arrears.errors.resolved');
}
