import { boardOrders } from '../store/index.ts';
import { registerRoomPolicy } from '../realtime/server.ts';
import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { requireRole, assertCenterScope } from '../http/guards.ts';
import { canActOnCenter } from '../centers/scope.ts';
import { validate, formOf, echoForm, type FormState } from '../http/validate.ts';
import { HttpError } from '../http/errors.ts';
import { flash } from '../http/flash.ts';
import { myWorkView } from './me-view.ts';
import { centerName, centerOptions, getCenter, subtreeIds } from '../centers/tree.ts';
import { dayKey, formatDay, formatMoney } from '../lib/format.ts';
import type { RouteDeps } from '../http/deps.ts';
import { User } from '../../models/user.ts';
import { Course, COURSE_CATEGORIES } from '../../models/course.ts';
import * as shops from './service.ts';
import * as ledger from './ledger.ts';
import * as periods from './periods.ts';
import * as disputes from './disputes.ts';
import { scopeReport, lastMonths } from './reports.ts';
import { myWork, myHistory } from './me.ts';
import { readSummaries, summaryIds } from './summaries.ts';
import {
  workshopSchema,
  taskSchema,
  rateSchema,
  admitSchema,
  entrySchema,
  correctionSchema,
  closeSchema,
  paidSchema,
  answerSchema,
  replySchema,
  orderSchema,
  batchSchema,
  returnSchema,
  selfReportSchema,
  decideSchema,
} from './schemas.ts';
import * as selfReports from './reports-self.ts';
import * as orders from './orders.ts';
import { uploadFiles, discardUploads } from '../files/upload.ts';
import { confirmFirst } from '../http/confirm.ts';
import { isRefusal } from '../lib/refusal.ts';

type Workshop = Awaited<ReturnType<typeof shops.getWorkshop>>;

const newKey = () => crypto.randomUUID();
const fen2yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** An inactive workshop's board is shown only to those who run it (issue 14, finding 10). */
async function mayWatchBoard(user: Express.User | undefined, w: Workshop): Promise<boolean> {
  return !!w.active || shops.isLead(user, w) || (await canActOnCenter(user, String(w.center)));
}

registerRoomPolicy('workshop', async (user, id) => {
  const w = await shops.getWorkshop(id).catch(() => null);
  return !!w && (await mayWatchBoard(user, w));
});

/** Staff whose scope covers the workshop, or its lead. */
async function staffWorkshop(req: Request): Promise<Workshop> {
  const w = await shops.getWorkshop(String(req.params.id));
  if (!shops.isLead(req.user, w)) await assertCenterScope(req, String(w.center));
  return w;
}

async function trainingView(req: Request, w: Workshop) {
  const ids = (w.trainingCourses ?? []).map(String);
  const titles = await Promise.all(ids.map((id) => Course.findById(id, { title: 1 }).lean()));
  return {
    required: shops.requiresTraining(w),
    category: w.trainingCategory,
    categoryLabel: w.trainingCategory ? req.t(`courses.categories.${w.trainingCategory}`) : '',
    categoryHref: w.trainingCategory ? `/courses?category=${encodeURIComponent(w.trainingCategory)}` : '',
    courses: ids.map((id, i) => ({ href: `/courses/${id}`, title: titles[i]?.title ?? '' })),
  };
}

export function workshopRoutes(_deps?: RouteDeps): Router {
  const r = Router();
  const staff = requireRole('staff', 'admin');

  // ---------------- public ----------------

  r.get('/workshops', async (req, res) => {
    const center = typeof req.query.center === 'string' && shops.isObjectId(req.query.center) ? req.query.center : '';
    const list = await shops.listWorkshops({ activeOnly: true, centers: center ? await subtreeIds(center) : undefined });
    const items = await Promise.all(
      list.map(async (w) => ({
        id: String(w._id),
        name: w.name,
        description: w.description.slice(0, 140),
        hours: w.hours,
        centerName: centerName(await getCenter(String(w.center)), req.lang),
        training: shops.requiresTraining(w),
      })),
    );
    res.render('workshops/index', { title: req.t('workshops.index.title'), items });
  });

  const renderShow = async (req: Request, res: Response, w: Workshop, extra: Record<string, unknown> = {}, status = 200) => {
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
        centerName: centerName(await getCenter(String(w.center)), req.lang),
        centerId: String(w.center),
      },
      tasks: tasks.map((t) => ({ name: t.name, unit: t.unit, rateFen: t.rateFen })),
      training: await trainingView(req, w),
      isResident: req.user?.role === 'resident',
      isMember: !!member,
      canManage: req.user && (req.user.role === 'staff' || req.user.role === 'admin') && ((await canActOnCenter(req.user, String(w.center))) || shops.isLead(req.user, w)),
      ...extra,
    });
  };

  r.get('/workshops/:id', async (req, res) => {
    const w = await shops.getWorkshop(req.params.id);
    if (!w.active) throw new HttpError(404, 'errors.notFound');
    await renderShow(req, res, w);
  });

  r.post('/workshops/:id/join', requireRole('resident'), async (req, res) => {
    const result = await shops.join(req.user!, req.params.id as string);
    if (result.status === 'needsTraining') {
      return renderShow(req, res, await shops.getWorkshop(req.params.id as string), { needsTraining: true }, 403);
    }
    flash(req, 'success', result.status === 'joined' ? 'workshops.join.joined' : 'workshops.join.already');
    res.redirect('/me/work');
  });

  r.get('/workshops/:id/live', async (req, res) => {
    const w = await shops.getWorkshop(req.params.id);
    if (!(await mayWatchBoard(req.user, w))) throw new HttpError(404, 'errors.notFound');
    const board = await ledger.boardState(String(w._id));
    // Cached with the board state (and dropped with it when an entry is logged here).
    const open = await boardOrders.get(String(w._id), () => orders.ordersWithProgress(String(w._id), { openOnly: true }));
    const progress = open.map((o) => ({ id: o.id, client: o.client, taskName: o.taskName, unit: o.unit, done: o.done, quantity: o.quantity, percent: o.percent, deadline: o.deadline }));
    // Names only for the workshop's own staff (the wall is public, see ledger.stationNames).
    const names = (await canActOnCenter(req.user, String(w.center))) ? await ledger.stationNames(String(w._id)) : null;
    res.render('workshops/live', {
      orders: progress,
      stations: board.stations.map((st) => ({ ...st, name: names?.[st.station] ?? '' })),
      title: req.t('workshops.live.title', { name: w.name }),
      workshop: { id: String(w._id), name: w.name },
      board,
      bodyClass: 'board',
      scripts: ['/socket.io/socket.io.js', '/js/workshops-live.js'],
    });
  });

  // ---------------- residents ----------------

  r.get('/me/work', requireRole('resident'), async (req, res) => {
    const [work, reports] = await Promise.all([myWork(req.user!.id), selfReports.myReports(req.user!.id)]);
    res.render('workshops/me', {
      title: req.t('workshops.me.title'),
      work: work.map((w) => ({ ...myWorkView(req, w), reportKey: newKey() })),
      today: dayKey(),
      reports: reports.map((r) => ({ taskName: r.taskName, unit: r.unit, counted: r.counted, date: r.date, dateText: formatDay(r.date, req.lang), status: r.status, reply: r.reply })),
    });
  });

  r.get('/me/work/:id/history', requireRole('resident'), async (req, res) => {
    const w = await shops.getWorkshop(req.params.id as string);
    if (!(await shops.getMembership(String(w._id), req.user!.id))) throw new HttpError(404, 'errors.notFound');
    const month = typeof req.query.month === 'string' && /^\d{4}-\d{2}$/.test(req.query.month) ? req.query.month : dayKey().slice(0, 7);
    const entries = await myHistory(req.user!.id, String(w._id), month);
    res.render('workshops/history', {
      title: req.t('workshops.me.history'),
      workshop: { id: String(w._id), name: w.name },
      month,
      months: lastMonths(12).reverse(),
      entries,
      pieces: entries.reduce((a, e) => a + e.accepted, 0),
      total: entries.reduce((a, e) => a + e.amountFen, 0),
    });
  });

  // A worker's own printable statement for a settled month.
  r.get('/me/work/:id/periods/:month', requireRole('resident'), async (req, res) => {
    const w = await shops.getWorkshop(req.params.id as string);
    const p = await periods.getPeriod(String(w._id), String(req.params.month));
    const s = p?.statements.find((x) => String(x.worker) === req.user!.id);
    if (!p || !s) throw new HttpError(404, 'errors.notFound');
    const entries = await ledger.listEntries({ workshop: String(w._id), worker: req.user!.id, period: p.month }, 1000);
    res.render('workshops/statement', {
      title: req.t('workshops.statement.title', { name: s.name, month: p.month }),
      back: '/me/work',
      workshop: { id: String(w._id), name: w.name, centerName: centerName(await getCenter(String(w.center)), req.lang) },
      month: p.month,
      statement: { ...s, methodLabel: s.method ? req.t(`workshops.pay.methods.${s.method}`) : '' },
      entries: entries.reverse(),
    });
  });

  r.post('/me/work/:id/answer', requireRole('resident'), async (req, res) => {
    const w = await shops.getWorkshop(req.params.id as string);
    const parsed = validate(req, answerSchema, req.body);
    if (!parsed.ok) {
      flash(req, 'error', 'workshops.errors.commentRequired');
      return res.redirect('/me/work');
    }
    await disputes.answerDay(req.user!, w, parsed.data.date, parsed.data);
    flash(req, 'success', parsed.data.wrong ? 'workshops.me.disputed' : 'workshops.me.confirmed');
    res.redirect('/me/work');
  });

  r.post('/me/work/:id/report', requireRole('resident'), async (req, res) => {
    const w = await shops.getWorkshop(req.params.id as string);
    const parsed = validate(req, selfReportSchema, req.body);
    if (!parsed.ok) {
      flash(req, 'error', 'workshops.me.reportInvalid');
      return res.redirect('/me/work');
    }
    try {
      await selfReports.reportOwnCount(req.user!, w, parsed.data);
    } catch (err) {
      if (!(err instanceof ledger.LedgerRefusal)) throw err;
      flash(req, 'error', err.key, err.params);
      return res.redirect('/me/work');
    }
    flash(req, 'success', 'workshops.me.reported');
    res.redirect('/me/work');
  });

  // ---------------- staff: workshops ----------------

  r.get('/staff/workshops', staff, async (req, res) => {
    const scope = req.user!.role === 'admin' ? null : req.user!.staffCenter!;
    const list = scope ? await shops.workshopsInScope(scope) : await shops.listWorkshops();
    const led = (await shops.listWorkshops()).filter((w) => shops.isLead(req.user, w) && !list.some((x) => String(x._id) === String(w._id)));
    const today = dayKey();
    const all = [...list, ...led];
    const sums = await readSummaries(all.map((w) => summaryIds.shopDay(String(w._id), today)));
    const items = await Promise.all(
      all.map(async (w) => ({
        id: String(w._id),
        name: w.name,
        active: w.active,
        centerName: centerName(await getCenter(String(w.center)), req.lang),
        today: sums.get(summaryIds.shopDay(String(w._id), today))!.accepted,
      })),
    );
    const open = await disputes.openDisputes(all.map((w) => String(w._id)));
    res.render('workshops/staff-index', { title: req.t('workshops.staff.title'), items, openDisputes: open.length });
  });

  const renderForm = async (req: Request, res: Response, form: FormState, id?: string, status = 200) => {
    const scope = req.user!.role === 'admin' ? null : req.user!.staffCenter;
    const centers = await centerOptions(req.lang, scope);
    const scopeIds = scope ? await subtreeIds(scope) : null;
    const leads = await User.find({ role: { $in: ['staff', 'admin'] } }, { name: 1, phone: 1, staffCenter: 1 }).sort({ name: 1 }).lean();
    res.status(status).render('workshops/form', {
      title: req.t(id ? 'workshops.form.editTitle' : 'workshops.form.newTitle'),
      form,
      action: id ? `/staff/workshops/${id}` : '/staff/workshops',
      centers,
      categories: [{ value: '', label: req.t('workshops.form.noTraining') }, ...COURSE_CATEGORIES.map((c) => ({ value: c, label: req.t(`courses.categories.${c}`) }))],
      leads: [
        { value: '', label: req.t('workshops.form.noLead') },
        ...leads.filter((u) => !scopeIds || scopeIds.includes(String(u.staffCenter))).map((u) => ({ value: String(u._id), label: `${u.name} · ${u.phone}` })),
      ],
    });
  };

  const checkInput = async (req: Request, data: { center: string }) => {
    await assertCenterScope(req, data.center);
  };

  r.get('/staff/workshops/new', staff, (req, res) => renderForm(req, res, formOf({ center: req.user!.staffCenter ?? '', active: 'on' })));

  r.post('/staff/workshops', staff, async (req, res) => {
    const parsed = validate(req, workshopSchema, req.body);
    if (!parsed.ok) return renderForm(req, res, parsed.form, undefined, 400);
    await checkInput(req, parsed.data);
    try {
      const id = await shops.createWorkshop(req.user!, parsed.data);
      flash(req, 'success', 'workshops.form.created');
      res.redirect(`/staff/workshops/${id}`);
    } catch (err) {
      if (isRefusal(err, 'invalid')) return renderForm(req, res, echoForm(req.body, { lead: req.t(err.key) }), undefined, 400);
      throw err;
    }
  });

  r.get('/staff/workshops/:id/edit', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    await renderForm(
      req,
      res,
      formOf({
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
      }),
      String(w._id),
    );
  });

  r.post('/staff/workshops/:id', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, workshopSchema, req.body);
    if (!parsed.ok) return renderForm(req, res, parsed.form, String(w._id), 400);
    await checkInput(req, parsed.data);
    try {
      await shops.updateWorkshop(req.user!, String(w._id), parsed.data);
    } catch (err) {
      if (isRefusal(err, 'invalid')) return renderForm(req, res, echoForm(req.body, { lead: req.t(err.key) }), String(w._id), 400);
      throw err;
    }
    flash(req, 'success', 'workshops.form.saved');
    res.redirect(`/staff/workshops/${String(w._id)}`);
  });

  const renderManage = async (req: Request, res: Response, w: Workshop, forms: { task?: FormState; admit?: FormState } = {}, status = 200) => {
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
      workshop: { id, name: w.name, centerName: centerName(await getCenter(String(w.center)), req.lang), leadName: w.leadName, active: w.active, photos: w.photos },
      training: await trainingView(req, w),
      tasks: tasks.map((t) => ({ id: String(t._id), name: t.name, unit: t.unit, rateFen: t.rateFen, rate: fen2yuan(t.rateFen), active: t.active })),
      members: members.map((m) => ({ id: String(m.resident), name: m.residentName, phone: m.residentPhone, override: m.override, reason: m.overrideReason, joinedAt: m.joinedAt })),
      today: sums.get(summaryIds.shopDay(id, today)),
      month: sums.get(summaryIds.shopMonth(id, today.slice(0, 7))),
      disputes: open.map((d) => ({ id: d._id, name: d.workerName, date: d.date, comment: d.comment })),
      pending: pending.map((p) => ({ id: String(p._id), name: p.workerName, taskName: p.taskName, unit: p.unit, counted: p.counted, date: p.date, note: p.note })),
      taskForm: forms.task ?? formOf(),
      admitForm: forms.admit ?? formOf(),
    });
  };

  r.get('/staff/workshops/:id', staff, async (req, res) => renderManage(req, res, await staffWorkshop(req)));

  // Photos: checked by content, stored in GridFS (public), linked from the workshop page.
  r.post(
    '/staff/workshops/:id/photos',
    staff,
    async (req, _res, next) => {
      await staffWorkshop(req);
      next();
    },
    ...uploadFiles({ field: 'photos', maxFiles: 4, maxBytes: 5 * 1024 * 1024, kinds: ['image'], access: 'public', ownerType: 'workshop', ownerId: (req) => String(req.params.id) }),
    async (req, res) => {
      const w = await staffWorkshop(req);
      if (req.uploadError || !req.uploaded?.length) {
        await discardUploads(req);
        flash(req, 'error', req.uploadError ?? 'workshops.photos.none');
        return res.redirect(`/staff/workshops/${String(w._id)}`);
      }
      await shops.addPhotos(req.user!, w, req.uploaded.map((f) => `/files/${f.id}`));
      flash(req, 'success', 'workshops.photos.added');
      res.redirect(`/staff/workshops/${String(w._id)}`);
    },
  );

  r.post('/staff/workshops/:id/photos/delete', staff, confirmFirst('deletePhoto', staffWorkshop), async (req, res) => {
    const w = await staffWorkshop(req);
    if (!(await shops.removePhoto(req.user!, w, String(req.body?.photo ?? '')))) throw new HttpError(404, 'errors.notFound');
    flash(req, 'success', 'workshops.photos.deleted');
    res.redirect(`/staff/workshops/${String(w._id)}`);
  });

  r.post('/staff/workshops/:id/tasks', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, taskSchema, req.body);
    if (!parsed.ok) return renderManage(req, res, w, { task: parsed.form }, 400);
    const result = await shops.addTask(req.user!, w, { name: parsed.data.name, unit: parsed.data.unit, rateFen: parsed.data.rate });
    if (!result.ok) return renderManage(req, res, w, { task: echoForm(req.body, { [result.field]: req.t(result.key) }) }, 409);
    flash(req, 'success', 'workshops.tasks.added');
    res.redirect(`/staff/workshops/${String(w._id)}`);
  });

  r.post('/staff/workshops/:id/tasks/:taskId', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, rateSchema, req.body);
    if (!parsed.ok) {
      flash(req, 'error', 'workshops.errors.money');
      return res.redirect(`/staff/workshops/${String(w._id)}`);
    }
    await shops.changeRate(req.user!, w, req.params.taskId as string, parsed.data.rate, parsed.data.active);
    flash(req, 'success', 'workshops.tasks.rateChanged');
    res.redirect(`/staff/workshops/${String(w._id)}`);
  });

  r.post('/staff/workshops/:id/members', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, admitSchema, req.body);
    if (!parsed.ok) return renderManage(req, res, w, { admit: parsed.form }, 400);
    const result = await shops.admit(req.user!, w, parsed.data.phone, parsed.data.reason);
    if (!result.ok) return renderManage(req, res, w, { admit: echoForm(req.body, { [result.field]: req.t(result.key) }) }, 400);
    flash(req, 'success', result.already ? 'workshops.join.already' : result.override ? 'workshops.members.overridden' : 'workshops.members.admitted');
    res.redirect(`/staff/workshops/${String(w._id)}`);
  });

  r.post('/staff/workshops/:id/reports/:reportId', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, decideSchema, req.body);
    if (!parsed.ok) {
      flash(req, 'error', Object.keys(parsed.form.errors).includes('reply') ? 'workshops.errors.replyRequired' : 'workshops.errors.rejectedTooMany');
      return res.redirect(`/staff/workshops/${String(w._id)}`);
    }
    try {
      const status = await selfReports.decideReport(req.user!, w, req.params.reportId as string, { ...parsed.data, confirm: parsed.data.decision === 'confirm' });
      flash(req, 'success', status === 'confirmed' ? 'workshops.selfReports.confirmed' : 'workshops.selfReports.declined');
    } catch (err) {
      if (!(err instanceof ledger.LedgerRefusal)) throw err;
      flash(req, 'error', err.key, err.params);
    }
    res.redirect(`/staff/workshops/${String(w._id)}`);
  });

  r.post('/staff/workshops/:id/disputes/:disputeId', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const d = await disputes.getDispute(req.params.disputeId as string);
    if (String(d.workshop) !== String(w._id)) throw new HttpError(404, 'errors.notFound');
    const parsed = validate(req, replySchema, req.body);
    if (!parsed.ok) {
      flash(req, 'error', 'workshops.errors.replyRequired');
      return res.redirect(`/staff/workshops/${String(w._id)}`);
    }
    await disputes.resolveDispute(req.user!, d._id, parsed.data.reply);
    flash(req, 'success', 'workshops.disputes.resolved');
    res.redirect(`/staff/workshops/${String(w._id)}`);
  });

  // ---------------- staff: the ledger ----------------

  const renderLog = async (req: Request, res: Response, w: Workshop, form: FormState, status = 200) => {
    const id = String(w._id);
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 20) : '';
    const [members, tasks, sums, open] = await Promise.all([shops.listMembers(id), shops.listTasks(id, true), readSummaries([summaryIds.shopDay(id, dayKey())]), orders.ordersWithProgress(id, { openOnly: true })]);
    const todayByWorker = sums.get(summaryIds.shopDay(id, dayKey()))!.workers;
    const fullName = new Map(members.map((m) => [String(m.resident), m.residentName]));
    const shown = q ? members.filter((m) => m.residentName.includes(q) || m.residentPhone.includes(q)) : members;
    res.status(status).render('workshops/log', {
      title: req.t('workshops.log.title', { name: w.name }),
      workshop: { id, name: w.name },
      q,
      form,
      workers: shown.map((m) => ({ value: String(m.resident), label: `${m.residentName} · ${m.residentPhone.slice(-4)}` })),
      tasks: tasks.map((t) => ({ value: String(t._id), label: `${t.name}${req.t('workshops.p.open')}${formatMoney(t.rateFen, req.lang)}/${t.unit}${req.t('workshops.p.close')}` })),
      recent: Object.entries(todayByWorker)
        .map(([wid, t]) => ({ workerName: fullName.get(wid) ?? t.name, accepted: t.accepted, amountFen: t.amountFen }))
        .sort((a, b) => b.accepted - a.accepted),
      noMembers: members.length === 0,
      orders: [{ value: '', label: req.t('workshops.orders.none') }, ...open.map((o) => ({ value: o.id, label: `${o.client} · ${o.taskName} ${o.done}/${o.quantity}` }))],
    });
  };

  r.get('/staff/workshops/:id/log', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const worker = typeof req.query.worker === 'string' ? req.query.worker : '';
    const task = typeof req.query.task === 'string' ? req.query.task : '';
    await renderLog(req, res, w, formOf({ date: dayKey(), rejected: '0', idempotencyKey: newKey(), workerId: worker, taskId: task }));
  });

  r.post('/staff/workshops/:id/entries', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, entrySchema, req.body);
    if (!parsed.ok) return renderLog(req, res, w, parsed.form, 400);
    try {
      const { entry } = await ledger.logEntry(req.user!, String(w._id), parsed.data);
      // A duplicate (double tap, retry) answers exactly like the first submission.
      flash(req, 'success', 'workshops.log.logged', {
        name: entry.workerName,
        task: entry.taskName,
        accepted: String(entry.accepted),
        unit: entry.unit,
        amount: formatMoney(entry.amountFen, req.lang),
      });
      // Back to a fresh form with the same worker and task chosen: the next count is one field away.
      res.redirect(`/staff/workshops/${String(w._id)}/log?worker=${String(entry.worker)}&task=${String(entry.task)}`);
    } catch (err) {
      if (err instanceof ledger.LedgerRefusal) return renderLog(req, res, w, echoForm(req.body, { [err.field]: req.t(err.key, err.params) }), err.key === 'workshops.errors.periodClosed' ? 409 : 400);
      throw err;
    }
  });

  r.get('/staff/workshops/:id/ledger', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const id = String(w._id);
    const month = typeof req.query.month === 'string' && /^\d{4}-\d{2}$/.test(req.query.month) ? req.query.month : dayKey().slice(0, 7);
    const entries = await ledger.listEntries({ workshop: id, period: month }, 1000);
    const closed = await ledger.isClosed(id, month);
    res.render('workshops/ledger', {
      title: req.t('workshops.ledger.title', { name: w.name }),
      workshop: { id, name: w.name },
      month,
      months: lastMonths(12).reverse(),
      closed,
      entries: entries.map((e) => ({
        ...ledger.entryView(e),
        workerName: e.workerName,
        corrects: e.corrects ? String(e.corrects) : '',
        note: e.note,
        createdByName: e.createdByName,
      })),
      total: entries.reduce((a, e) => a + e.amountFen, 0),
      pieces: entries.reduce((a, e) => a + e.accepted, 0),
    });
  });

  const renderCorrect = async (req: Request, res: Response, w: Workshop, entryId: string, form: FormState | null, status = 200) => {
    const e = await ledger.getEntry(String(w._id), entryId);
    if (!e || e.kind !== 'work') throw new HttpError(404, 'errors.notFound');
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
  };

  r.get('/staff/workshops/:id/entries/:entryId/correct', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    await renderCorrect(req, res, w, req.params.entryId as string, null);
  });

  r.post('/staff/workshops/:id/entries/:entryId/correct', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, correctionSchema, req.body);
    if (!parsed.ok) return renderCorrect(req, res, w, req.params.entryId as string, parsed.form, 400);
    try {
      const { entry } = await ledger.correctEntry(req.user!, String(w._id), req.params.entryId as string, parsed.data);
      flash(req, 'success', entry.forClosedPeriod ? 'workshops.correct.doneClosed' : 'workshops.correct.done', { month: entry.forClosedPeriod, period: entry.period });
      res.redirect(`/staff/workshops/${String(w._id)}/ledger?month=${entry.period}`);
    } catch (err) {
      if (err instanceof ledger.LedgerRefusal) return renderCorrect(req, res, w, req.params.entryId as string, echoForm(req.body, { [err.field]: req.t(err.key, err.params) }), 400);
      throw err;
    }
  });

  // ---------------- staff: pay periods ----------------

  r.get('/staff/workshops/:id/periods', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const id = String(w._id);
    const list = await periods.listPeriods(id);
    const closedMonths = new Set(list.map((p) => p.month));
    const current = dayKey().slice(0, 7);
    const openMonths = lastMonths(6).filter((m) => m < current && !closedMonths.has(m));
    const sums = await readSummaries(openMonths.map((m) => summaryIds.shopMonth(id, m)));
    res.render('workshops/periods', {
      title: req.t('workshops.periods.title', { name: w.name }),
      workshop: { id, name: w.name },
      closed: list.map((p) => ({ month: p.month, accepted: p.accepted, amountFen: p.amountFen, closedAt: p.closedAt, closedByName: p.closedByName })),
      open: openMonths.map((m) => ({ month: m, accepted: sums.get(summaryIds.shopMonth(id, m))!.accepted, amountFen: sums.get(summaryIds.shopMonth(id, m))!.amountFen })).reverse(),
    });
  });

  r.post('/staff/workshops/:id/periods', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, closeSchema, req.body);
    if (!parsed.ok) throw new HttpError(400, 'errors.badRequest');
    const result = await periods.closePeriod(req.user!, w, parsed.data.month);
    if (!result.ok) {
      flash(req, 'error', result.key, { month: parsed.data.month });
      return res.redirect(`/staff/workshops/${String(w._id)}/periods`);
    }
    flash(req, 'success', 'workshops.periods.closedOk', { month: parsed.data.month });
    res.redirect(`/staff/workshops/${String(w._id)}/periods/${parsed.data.month}`);
  });

  const loadPeriod = async (req: Request) => {
    const w = await staffWorkshop(req);
    const month = String(req.params.month);
    const p = await periods.getPeriod(String(w._id), month);
    if (!p) throw new HttpError(404, 'errors.notFound');
    return { w, p };
  };

  r.get('/staff/workshops/:id/periods/:month/export.csv', staff, async (req, res) => {
    const { w, p } = await loadPeriod(req);
    const csv = periods.periodCsv(p, (k) => req.t(k), w.name);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="workshop-${p.month}.csv"; filename*=UTF-8''${encodeURIComponent(`${w.name}-${p.month}.csv`)}`);
    res.send(csv);
  });

  r.get('/staff/workshops/:id/periods/:month', staff, async (req, res) => {
    const { w, p } = await loadPeriod(req);
    res.render('workshops/period', {
      title: req.t('workshops.period.title', { name: w.name, month: p.month }),
      workshop: { id: String(w._id), name: w.name },
      period: {
        month: p.month,
        accepted: p.accepted,
        amountFen: p.amountFen,
        closedAt: p.closedAt,
        closedByName: p.closedByName,
        statements: p.statements.map((s) => ({ ...s, worker: String(s.worker), methodLabel: s.method ? req.t(`workshops.pay.methods.${s.method}`) : '' })),
      },
      methods: periods.PAY_METHODS.map((m) => ({ value: m, label: req.t(`workshops.pay.methods.${m}`) })),
      today: dayKey(),
    });
  });

  r.get('/staff/workshops/:id/periods/:month/statements/:workerId', staff, async (req, res) => {
    const { w, p } = await loadPeriod(req);
    const s = p.statements.find((x) => String(x.worker) === req.params.workerId);
    if (!s) throw new HttpError(404, 'errors.notFound');
    const entries = await ledger.listEntries({ workshop: String(w._id), worker: String(s.worker), period: p.month }, 1000);
    res.render('workshops/statement', {
      title: req.t('workshops.statement.title', { name: s.name, month: p.month }),
      workshop: { id: String(w._id), name: w.name, centerName: centerName(await getCenter(String(w.center)), req.lang) },
      month: p.month,
      statement: { ...s, methodLabel: s.method ? req.t(`workshops.pay.methods.${s.method}`) : '' },
      entries: entries.reverse(),
    });
  });

  r.post('/staff/workshops/:id/periods/:month/paid/:workerId', staff, async (req, res) => {
    const { w, p } = await loadPeriod(req);
    const parsed = validate(req, paidSchema, req.body);
    if (!parsed.ok) {
      flash(req, 'error', 'workshops.errors.paid');
      return res.redirect(`/staff/workshops/${String(w._id)}/periods/${p.month}`);
    }
    await periods.markPaid(req.user!, w, p.month, req.params.workerId as string, parsed.data);
    flash(req, 'success', 'workshops.period.paidOk');
    res.redirect(`/staff/workshops/${String(w._id)}/periods/${p.month}`);
  });

  // ---------------- staff: orders and take-home batches ----------------

  const renderOrders = async (req: Request, res: Response, w: Workshop, forms: { order?: FormState; batch?: FormState } = {}, status = 200) => {
    const id = String(w._id);
    const [list, batches, tasks, members] = await Promise.all([orders.ordersWithProgress(id), orders.openBatches(id), shops.listTasks(id, true), shops.listMembers(id)]);
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
      batches: batches.map((b) => ({ id: String(b._id), workerName: b.workerName, taskName: b.taskName, unit: b.unit, quantity: b.quantity, issuedAt: b.issuedAt })),
      holding: [...holding.values()],
      tasks: tasks.map((t) => ({ value: String(t._id), label: `${t.name}${req.t('workshops.p.open')}${t.unit}${req.t('workshops.p.close')}` })),
      workers: members.map((m) => ({ value: String(m.resident), label: `${m.residentName} · ${m.residentPhone.slice(-4)}` })),
      orderOptions: [{ value: '', label: req.t('workshops.orders.none') }, ...list.filter((o) => o.status === 'open').map((o) => ({ value: o.id, label: `${o.client} · ${o.taskName}` }))],
      orderForm: forms.order ?? formOf(),
      batchForm: forms.batch ?? formOf(),
    });
  };

  r.get('/staff/workshops/:id/orders', staff, async (req, res) => renderOrders(req, res, await staffWorkshop(req)));

  r.post('/staff/workshops/:id/orders', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, orderSchema, req.body);
    if (!parsed.ok) return renderOrders(req, res, w, { order: parsed.form }, 400);
    await orders.createOrder(req.user!, w, { ...parsed.data, rateFen: parsed.data.rate });
    flash(req, 'success', 'workshops.orders.created');
    res.redirect(`/staff/workshops/${String(w._id)}/orders`);
  });

  r.post('/staff/workshops/:id/batches', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, batchSchema, req.body);
    if (!parsed.ok) return renderOrders(req, res, w, { batch: parsed.form }, 400);
    try {
      await orders.issueBatch(req.user!, w, parsed.data);
    } catch (err) {
      if (err instanceof ledger.LedgerRefusal) return renderOrders(req, res, w, { batch: echoForm(req.body, { [err.field]: req.t(err.key) }) }, 400);
      throw err;
    }
    flash(req, 'success', 'workshops.batches.issued');
    res.redirect(`/staff/workshops/${String(w._id)}/orders`);
  });

  r.post('/staff/workshops/:id/batches/:batchId/return', staff, async (req, res) => {
    const w = await staffWorkshop(req);
    const parsed = validate(req, returnSchema, req.body);
    if (!parsed.ok) {
      flash(req, 'error', 'workshops.errors.rejectedTooMany');
      return res.redirect(`/staff/workshops/${String(w._id)}/orders`);
    }
    try {
      const entry = await orders.returnBatch(req.user!, w, req.params.batchId as string, parsed.data);
      flash(req, 'success', 'workshops.log.logged', { name: entry.workerName, task: entry.taskName, accepted: String(entry.accepted), unit: entry.unit, amount: formatMoney(entry.amountFen, req.lang) });
    } catch (err) {
      if (!(err instanceof ledger.LedgerRefusal)) throw err;
      flash(req, 'error', err.key, err.params);
    }
    res.redirect(`/staff/workshops/${String(w._id)}/orders`);
  });

  // ---------------- staff: reports ----------------

  r.get('/staff/reports', staff, async (req, res) => {
    const scope = req.user!.role === 'admin' ? null : req.user!.staffCenter!;
    const requested = typeof req.query.center === 'string' && shops.isObjectId(req.query.center) ? req.query.center : '';
    if (requested) await assertCenterScope(req, requested);
    const centerId = requested || scope;
    const report = await scopeReport(centerId);
    const total = report.trend;
    const thisMonth = total[total.length - 1]!;
    const centerRows = await Promise.all(report.centers.map(async (c) => ({ id: c.id, name: centerName(await getCenter(c.id), req.lang), workshops: c.workshops, ...c.figures })));
    res.render('workshops/reports', {
      title: req.t('workshops.reports.title'),
      centerName: centerId ? centerName(await getCenter(centerId), req.lang) : req.t('workshops.reports.allCenters'),
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
    });
  });

  return r;
}
