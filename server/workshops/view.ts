import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { canActOnCenter } from '../centers/scope.ts';
import { formOf, type FormState } from '../http/validate.ts';
import { HttpError } from '../http/errors.ts';
import { centerName, centerOptions, getCenter, subtreeIds } from '../centers/tree.ts';
import { dayKey, formatMoney, yuanDigits } from '../lib/format.ts';
import { COURSE_CATEGORIES } from '../../models/course.ts';
import * as shops from './service.ts';
import * as ledger from './ledger.ts';
import * as periods from './periods.ts';
import * as disputes from './disputes.ts';
import * as selfReports from './reports-self.ts';
import * as orders from './orders.ts';
import { lastMonths, type scopeReport } from './reports.ts';
import { readSummaries, summaryIds } from './summaries.ts';

export type Workshop = Awaited<ReturnType<typeof shops.getWorkshop>>;
type Period = NonNullable<Awaited<ReturnType<typeof periods.getPeriod>>>;
type Statement = Period['statements'][number];
type Report = Awaited<ReturnType<typeof scopeReport>>;

export const newKey = () => crypto.randomUUID();

/** `?month=YYYY-MM`, or this month. */
export const monthOf = (req: Request): string =>
  typeof req.query.month === 'string' && /^\d{4}-\d{2}$/.test(req.query.month) ? req.query.month : dayKey().slice(0, 7);

async function centerLabel(req: Request, center: unknown): Promise<string> {
  return centerName(await getCenter(String(center)), req.lang);
}

async function trainingView(req: Request, w: Workshop) {
  const ids = (w.trainingCourses ?? []).map(String);
  const titles = await shops.trainingCourseTitles(ids);
  return {
    required: shops.requiresTraining(w),
    category: w.trainingCategory,
    categoryLabel: w.trainingCategory ? req.t(`courses.categories.${w.trainingCategory}`) : '',
    categoryHref: w.trainingCategory ? `/courses?category=${encodeURIComponent(w.trainingCategory)}` : '',
    courses: ids.map((id, i) => ({ href: `/courses/${id}`, title: titles[i] ?? '' })),
  };
}

export async function indexItems(req: Request, list: Workshop[]) {
  return Promise.all(
    list.map(async (w) => ({
      id: String(w._id),
      name: w.name,
      description: w.description.slice(0, 140),
      hours: w.hours,
      centerName: await centerLabel(req, w.center),
      training: shops.requiresTraining(w),
    })),
  );
}

export async function renderShow(req: Request, res: Response, w: Workshop, extra: Record<string, unknown> = {}, status = 200) {
  const id = String(w._id);
  const tasks = await shops.listTasks(id, true);
  const member = req.user?.role === 'resident' ? await shops.getMembership(id, req.user.id) : null;
  res.status(status).render('workshops/show', {
    title: w.name,
    workshop: {
      id,
      name: w.name,
      description: w.description,
      address: w.address,
      hours: w.hours,
      photos: w.photos,
      centerName: await centerLabel(req, w.center),
      centerId: String(w.center),
    },
    tasks: tasks.map((t) => ({ name: t.name, unit: t.unit, rateFen: t.rateFen })),
    training: await trainingView(req, w),
    isResident: req.user?.role === 'resident',
    isMember: !!member,
    canManage:
      req.user && (req.user.role === 'staff' || req.user.role === 'admin') && ((await canActOnCenter(req.user, String(w.center))) || shops.isLead(req.user, w)),
    ...extra,
  });
}

/** A settled month's statement for one worker (the worker's own copy has a back link). */
export async function renderStatement(req: Request, res: Response, w: Workshop, p: Period, s: Statement, back?: string) {
  const entries = await ledger.listEntries({ workshop: String(w._id), worker: String(s.worker), period: p.month }, 1000);
  res.render('workshops/statement', {
    title: req.t('workshops.statement.title', { name: s.name, month: p.month }),
    ...(back ? { back } : {}),
    workshop: { id: String(w._id), name: w.name, centerName: await centerLabel(req, w.center) },
    month: p.month,
    statement: { ...s, methodLabel: s.method ? req.t(`workshops.pay.methods.${s.method}`) : '' },
    entries: entries.reverse(),
  });
}

export async function staffIndexItems(req: Request, all: Workshop[]) {
  const today = dayKey();
  const sums = await readSummaries(all.map((w) => summaryIds.shopDay(String(w._id), today)));
  return Promise.all(
    all.map(async (w) => ({
      id: String(w._id),
      name: w.name,
      active: w.active,
      centerName: await centerLabel(req, w.center),
      today: sums.get(summaryIds.shopDay(String(w._id), today))!.accepted,
    })),
  );
}

export async function renderForm(req: Request, res: Response, form: FormState, id?: string, status = 200) {
  const scope = req.user!.role === 'admin' ? null : req.user!.staffCenter;
  const centers = await centerOptions(req.lang, scope);
  const scopeIds = scope ? await subtreeIds(scope) : null;
  const leads = await shops.leadCandidates();
  res.status(status).render('workshops/form', {
    title: req.t(id ? 'workshops.form.editTitle' : 'workshops.form.newTitle'),
    form,
    action: id ? `/staff/workshops/${id}` : '/staff/workshops',
    centers,
    categories: [
      { value: '', label: req.t('workshops.form.noTraining') },
      ...COURSE_CATEGORIES.map((c) => ({ value: c, label: req.t(`courses.categories.${c}`) })),
    ],
    leads: [
      { value: '', label: req.t('workshops.form.noLead') },
      ...leads.filter((u) => !scopeIds || scopeIds.includes(String(u.staffCenter))).map((u) => ({ value: String(u._id), label: `${u.name} · ${u.phone}` })),
    ],
  });
}

/** The edit form filled from the stored workshop. */
export function workshopForm(w: Workshop): FormState {
  return formOf({
    name: w.name,
    description: w.description,
    center: String(w.center),
    address: w.address,
    hours: w.hours,
    lead: w.lead ? String(w.lead) : '',
    trainingCategory: w.trainingCategory,
    trainingCourses: (w.trainingCourses ?? []).map(String).join(' '),
    photos: (w.photos ?? []).join(' '),
    active: w.active ? 'on' : '',
  });
}

export async function renderManage(req: Request, res: Response, w: Workshop, forms: { task?: FormState; admit?: FormState } = {}, status = 200) {
  const id = String(w._id);
  const today = dayKey();
  const [tasks, members, pending, sums, open] = await Promise.all([
    shops.listTasks(id),
    shops.listMembers(id),
    selfReports.pendingReports(id),
    readSummaries([summaryIds.shopDay(id, today), summaryIds.shopMonth(id, today.slice(0, 7))]),
    disputes.openDisputes([id]),
  ]);
  res.status(status).render('workshops/manage', {
    title: w.name,
    workshop: { id, name: w.name, centerName: await centerLabel(req, w.center), leadName: w.leadName, active: w.active, photos: w.photos },
    training: await trainingView(req, w),
    tasks: tasks.map((t) => ({ id: String(t._id), name: t.name, unit: t.unit, rateFen: t.rateFen, rate: yuanDigits(t.rateFen), active: t.active })),
    members: members.map((m) => ({
      id: String(m.resident),
      name: m.residentName,
      phone: m.residentPhone,
      override: m.override,
      reason: m.overrideReason,
      joinedAt: m.joinedAt,
    })),
    today: sums.get(summaryIds.shopDay(id, today)),
    month: sums.get(summaryIds.shopMonth(id, today.slice(0, 7))),
    disputes: open.map((d) => ({ id: d._id, name: d.workerName, date: d.date, comment: d.comment })),
    pending: pending.map((p) => ({
      id: String(p._id),
      name: p.workerName,
      taskName: p.taskName,
      unit: p.unit,
      counted: p.counted,
      date: p.date,
      note: p.note,
    })),
    taskForm: forms.task ?? formOf(),
    admitForm: forms.admit ?? formOf(),
  });
}

export async function renderLog(req: Request, res: Response, w: Workshop, form: FormState, status = 200) {
  const id = String(w._id);
  const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 20) : '';
  const [members, tasks, sums, open] = await Promise.all([
    shops.listMembers(id),
    shops.listTasks(id, true),
    readSummaries([summaryIds.shopDay(id, dayKey())]),
    orders.ordersWithProgress(id, { openOnly: true }),
  ]);
  const todayByWorker = sums.get(summaryIds.shopDay(id, dayKey()))!.workers;
  const fullName = new Map(members.map((m) => [String(m.resident), m.residentName]));
  const shown = q ? members.filter((m) => m.residentName.includes(q) || m.residentPhone.includes(q)) : members;
  res.status(status).render('workshops/log', {
    title: req.t('workshops.log.title', { name: w.name }),
    workshop: { id, name: w.name },
    q,
    form,
    workers: shown.map((m) => ({ value: String(m.resident), label: `${m.residentName} · ${m.residentPhone.slice(-4)}` })),
    tasks: tasks.map((t) => ({
      value: String(t._id),
      label: `${t.name}${req.t('workshops.p.open')}${formatMoney(t.rateFen, req.lang)}/${t.unit}${req.t('workshops.p.close')}`,
    })),
    recent: Object.entries(todayByWorker)
      .map(([wid, t]) => ({ workerName: fullName.get(wid) ?? t.name, accepted: t.accepted, amountFen: t.amountFen }))
      .sort((a, b) => b.accepted - a.accepted),
    noMembers: members.length === 0,
    orders: [
      { value: '', label: req.t('workshops.orders.none') },
      ...open.map((o) => ({ value: o.id, label: `${o.client} · ${o.taskName} ${o.done}/${o.quantity}` })),
    ],
  });
}

export function ledgerEntriesView(entries: Awaited<ReturnType<typeof ledger.listEntries>>) {
  return entries.map((e) => ({
    ...ledger.entryView(e),
    workerName: e.workerName,
    corrects: e.corrects ? String(e.corrects) : '',
    note: e.note,
    createdByName: e.createdByName,
  }));
}

export async function renderCorrect(req: Request, res: Response, w: Workshop, entryId: string, form: FormState | null, status = 200) {
  const e = await ledger.getEntry(String(w._id), entryId);
  if (e?.kind !== 'work') throw new HttpError(404, 'errors.notFound');
  const now = await ledger.effective(e);
  const closed = await ledger.isClosed(String(w._id), e.period);
  res.status(status).render('workshops/correct', {
    title: req.t('workshops.correct.title'),
    workshop: { id: String(w._id), name: w.name },
    entry: { id: String(e._id), date: e.date, workerName: e.workerName, taskName: e.taskName, unit: e.unit, rateFen: e.rateFen, period: e.period },
    now,
    closed,
    form: form ?? formOf({ counted: String(now.counted), rejected: String(now.rejected), idempotencyKey: newKey() }),
  });
}

/** Settled months, and the last six unsettled ones with their running figures. */
export async function periodsView(id: string) {
  const list = await periods.listPeriods(id);
  const closedMonths = new Set(list.map((p) => p.month));
  const current = dayKey().slice(0, 7);
  const openMonths = lastMonths(6).filter((m) => m < current && !closedMonths.has(m));
  const sums = await readSummaries(openMonths.map((m) => summaryIds.shopMonth(id, m)));
  return {
    closed: list.map((p) => ({ month: p.month, accepted: p.accepted, amountFen: p.amountFen, closedAt: p.closedAt, closedByName: p.closedByName })),
    open: openMonths
      .map((m) => ({ month: m, accepted: sums.get(summaryIds.shopMonth(id, m))!.accepted, amountFen: sums.get(summaryIds.shopMonth(id, m))!.amountFen }))
      .reverse(),
  };
}

export function periodView(req: Request, p: Period) {
  return {
    month: p.month,
    accepted: p.accepted,
    amountFen: p.amountFen,
    closedAt: p.closedAt,
    closedByName: p.closedByName,
    statements: p.statements.map((s) => ({ ...s, worker: String(s.worker), methodLabel: s.method ? req.t(`workshops.pay.methods.${s.method}`) : '' })),
  };
}

export async function renderOrders(req: Request, res: Response, w: Workshop, forms: { order?: FormState; batch?: FormState } = {}, status = 200) {
  const id = String(w._id);
  const [list, batches, tasks, members] = await Promise.all([
    orders.ordersWithProgress(id),
    orders.openBatches(id),
    shops.listTasks(id, true),
    shops.listMembers(id),
  ]);
  const holding = new Map<string, { name: string; quantity: number }>();
  for (const b of batches) {
    const h = holding.get(String(b.worker)) ?? { name: b.workerName, quantity: 0 };
    h.quantity += b.quantity;
    holding.set(String(b.worker), h);
  }
  res.status(status).render('workshops/orders', {
    title: req.t('workshops.orders.title', { name: w.name }),
    workshop: { id, name: w.name },
    orders: list,
    batches: batches.map((b) => ({
      id: String(b._id),
      workerName: b.workerName,
      taskName: b.taskName,
      unit: b.unit,
      quantity: b.quantity,
      issuedAt: b.issuedAt,
    })),
    holding: [...holding.values()],
    tasks: tasks.map((t) => ({ value: String(t._id), label: `${t.name}${req.t('workshops.p.open')}${t.unit}${req.t('workshops.p.close')}` })),
    workers: members.map((m) => ({ value: String(m.resident), label: `${m.residentName} · ${m.residentPhone.slice(-4)}` })),
    orderOptions: [
      { value: '', label: req.t('workshops.orders.none') },
      ...list.filter((o) => o.status === 'open').map((o) => ({ value: o.id, label: `${o.client} · ${o.taskName}` })),
    ],
    orderForm: forms.order ?? formOf(),
    batchForm: forms.batch ?? formOf(),
  });
}

/** The centre report page: this month, the trend chart, rows per workshop and per centre. */
export async function reportView(req: Request, report: Report, centerId: string | null, scope: string | null) {
  const total = report.trend;
  const thisMonth = total[total.length - 1]!;
  const centerRows = await Promise.all(
    report.centers.map(async (c) => ({ id: c.id, name: await centerLabel(req, c.id), workshops: c.workshops, ...c.figures })),
  );
  return {
    title: req.t('workshops.reports.title'),
    centerName: centerId ? await centerLabel(req, centerId) : req.t('workshops.reports.allCenters'),
    centers: await centerOptions(req.lang, scope),
    center: centerId ?? '',
    thisMonth,
    trend: total,
    shops: report.workshops.map((w) => ({ id: w.id, name: w.name, ...w.figures })),
    centerRows,
    chart: JSON.stringify({
      labels: total.map((m) => m.month),
      paid: total.map((m) => m.paidFen / 100),
      paidLow: total.map((m) => m.paidLowIncomeFen / 100),
      labelPaid: req.t('workshops.reports.paid'),
      labelLow: req.t('workshops.reports.paidLow'),
    }),
    scripts: ['/vendor/chart.umd.js', '/js/workshops-report.js'],
  };
}
