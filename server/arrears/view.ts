import type { Request } from 'express';
import type { ArrearsCaseDoc } from '../../models/arrears-case.ts';
import { CASE_RESOLUTIONS } from '../../models/arrears-case.ts';
import { centerName, getCenter } from '../centers/tree.ts';
import { formatDate, formatDay, telHref } from '../lib/format.ts';
import { formOf, type FormState } from '../http/validate.ts';
import type { PayQuestion } from './answers.ts';
import type { PayRecordView } from './record.ts';

// What the pay question, the staff case pages, the employer's banner and the public record show.

/** The pay question on a hired job, for the worker's list and the desk (null when not due). */
export function payQuestionView(req: Request, q: PayQuestion | null, action: string, extra: Record<string, string> = {}) {
  if (!q) return null;
  return {
    action,
    extra: Object.entries(extra).map(([field, value]) => ({ field, value })),
    endDay: formatDay(q.endDay, req.lang),
    answer: q.answer,
    answerLabel: q.answer ? req.t(`arrears.answers.${q.answer}`) : '',
    answeredAt: q.answeredAt ? formatDate(q.answeredAt, req.lang, 'date') : '',
    onBehalf: q.onBehalf,
    caseOpen: q.caseState === 'open',
    caseResolved: q.caseState === 'resolved',
    canSayPaid: q.answer === 'unpaid',
    caseUrl: `/staff/arrears/${q.id}`,
  };
}

/** The desk's list of pay questions for one resident; the answer is posted for them. */
export function deskPayQuestions(req: Request, residentId: string, list: { applicationId: string; title: string; q: PayQuestion }[]) {
  return list.map((x) => ({
    id: x.applicationId,
    title: x.title,
    pay: payQuestionView(req, x.q, `/staff/residents/${residentId}/pay`, { application: x.applicationId }),
  }));
}

type CaseRow = Pick<
  ArrearsCaseDoc,
  '_id' | 'postingTitle' | 'employerName' | 'workerName' | 'center' | 'endDay' | 'openedAt' | 'state' | 'resolution' | 'resolvedAt'
>;

async function row(req: Request, c: CaseRow) {
  return {
    id: c._id,
    title: c.postingTitle,
    employer: c.employerName,
    worker: c.workerName,
    center: centerName(await getCenter(String(c.center)), req.lang),
    endDay: formatDay(c.endDay, req.lang),
    openedAt: formatDate(c.openedAt, req.lang, 'date'),
    resolvedAt: c.resolvedAt ? formatDate(c.resolvedAt, req.lang, 'date') : '',
    resolution: c.resolution ? req.t(`arrears.resolutions.${c.resolution}`) : '',
  };
}

export async function casesPage(req: Request, q: { open: CaseRow[]; resolved: CaseRow[] }) {
  return {
    title: req.t('arrears.staff.title'),
    open: await Promise.all(q.open.map((c) => row(req, c))),
    resolved: await Promise.all(q.resolved.map((c) => row(req, c))),
  };
}

export async function casePage(req: Request, c: ArrearsCaseDoc, noteForm: FormState = formOf(), resolveForm: FormState = formOf()) {
  return {
    title: req.t('arrears.case.title', { title: c.postingTitle }),
    c: {
      ...(await row(req, c as CaseRow)),
      open: c.state === 'open',
      posting: String(c.posting),
      worker: c.workerName,
      workerPhone: c.workerPhone,
      workerId: String(c.worker),
      startDay: formatDay(c.startDay, req.lang),
      payFen: c.payFen,
      payUnit: c.payType ? req.t(`gigs.payUnits.${c.payType}`) : '',
      resolutionText: c.resolutionText,
      resolvedBy: c.resolvedBy,
      notes: (c.notes ?? []).map((n) => ({ at: formatDate(n.at, req.lang, 'datetime'), by: n.byName, text: n.text })),
    },
    resolutions: CASE_RESOLUTIONS.map((r) => ({ value: r, label: req.t(`arrears.resolutions.${r}`) })),
    noteForm,
    resolveForm,
  };
}

/** The employer's own open cases, each with the center to call. */
export async function employerBanner(req: Request, cases: { postingTitle: string; workerName: string; center: unknown; endDay: string }[]) {
  return Promise.all(
    cases.map(async (c) => {
      const center = await getCenter(String(c.center));
      return {
        title: c.postingTitle,
        worker: c.workerName,
        endDay: formatDay(c.endDay, req.lang),
        center: centerName(center, req.lang),
        phone: center?.phone ?? '',
        tel: center?.phone ? telHref(center.phone) : '',
      };
    }),
  );
}

/** "Paid on time N of M": answered jobs only; nothing to say before the first answer. */
export function recordView(r: PayRecordView) {
  return { ...r, hasAnswers: r.answered > 0 };
}
