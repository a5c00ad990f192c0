// Registers the session reminder job with the scheduler.
import './reminders.ts';
import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { COURSE_CATEGORIES } from '../../models/course.ts';
import { Course } from '../../models/course.ts';
import { requireLogin, requireRole, assertCenterScope } from '../http/guards.ts';
import { canActOnCenter } from '../centers/scope.ts';
import { User } from '../../models/user.ts';
import { audit } from '../audit/service.ts';
import { validate, formOf, echoForm, type FormState } from '../http/validate.ts';
import { HttpError, statusOf } from '../http/errors.ts';
import { flash } from '../http/flash.ts';
import { centerName, centerOptions, getCenter } from '../centers/tree.ts';
import { clockTime, dayKey, formatDate } from '../lib/format.ts';
import { pager } from '../lib/pager.ts';
import type { RouteDeps } from '../http/deps.ts';
import { uploadFiles, registerFileAccess, discardUploads } from '../files/upload.ts';
import { deleteFile } from '../files/store.ts';
import { registerRoomPolicy } from '../realtime/server.ts';
import { catalogueSchema, courseSchema, rollCallSchema, walkInSchema } from './schemas.ts';
import * as svc from './service.ts';
import { textPdf } from './pdf.ts';
import { extraRows, sessionRows } from './form-rows.ts';
import { checkIn, checkinRefusal, checkinToken, courseOfSession, verifyCheckinToken } from './checkin.ts';
import { confirmFirst } from '../http/confirm.ts';
import { isRefusal } from '../lib/refusal.ts';

type Course = svc.LeanCourse;
const PER_PAGE = 20;

// Materials are private files: enrolled residents and staff in scope may download them.
registerFileAccess('course', (user, ownerId) => svc.mayReadMaterials(user, String(ownerId ?? '')));
// Live check-ins of a session are for staff who can manage its course.
registerRoomPolicy('session', async (user, id) => {
  if (!user || (user.role !== 'staff' && user.role !== 'admin')) return false;
  const course = await courseOfSession(id);
  return !!course && canActOnCenter(user, String(course.center));
});

const time = clockTime;

// Older data carries "第 N 课" as a topic; the numbered label says that already, in the page language.
const GENERIC_TOPIC = /^第\s*\d+\s*[课节次]$/;

/** A session as people read it: the day with its weekday, the hours, "Session N", the topic. */
function sessionView(course: Pick<Course, 'sessions'>, s: Course['sessions'][number], req: Request, now = new Date()) {
  const n = course.sessions.findIndex((x) => String(x._id) === String(s._id)) + 1;
  return {
    id: String(s._id),
    date: formatDate(s.startsAt, req.lang, 'date'),
    start: time(s.startsAt),
    end: time(s.endsAt),
    label: n > 0 ? req.t('courses.session.nth', { n }) : '',
    topic: GENERIC_TOPIC.test(s.topic ?? '') ? '' : s.topic,
    past: s.endsAt <= now,
    today: dayKey(s.startsAt) === dayKey(now),
  };
}

function courseCard(req: Request, c: Course, taken: number) {
  const next = svc.nextSession(c);
  return {
    id: String(c._id),
    title: c.title,
    category: req.t(`courses.categories.${c.category}`),
    center: req.lang === 'en' && c.centerNameEn ? c.centerNameEn : c.centerName,
    venue: c.venue,
    capacity: c.capacity,
    taken,
    left: Math.max(0, c.capacity - taken),
    full: taken >= c.capacity,
    nearlyFull: taken < c.capacity && c.capacity - taken <= Math.max(2, Math.ceil(c.capacity * 0.15)),
    next: next ? sessionView(c, next, req) : null,
    sessions: c.sessions.length,
    hours: svc.courseHours(c),
    status: c.status,
    statusLabel: req.t(`courses.status.${c.status}`),
  };
}

const categoryOptions = (req: Request) => COURSE_CATEGORIES.map((v) => ({ value: v, label: req.t(`courses.categories.${v}`) }));

async function staffCourse(req: Request): Promise<Course> {
  const course = await svc.getCourse(String(req.params.id));
  await assertCenterScope(req, String(course.center));
  return course;
}

export function courseRoutes(deps: RouteDeps): Router {
  const { absoluteUrl } = deps;
  const r = Router();
  const staff = requireRole('staff', 'admin');

  // ------------------------------------------------------------ public catalogue
  r.get('/courses', async (req, res) => {
    const q = catalogueSchema.parse(req.query);
    const all = await svc.catalogue({ category: q.category, center: q.center, within: q.within || null, seatsOnly: q.seats === '1' });
    const pages = Math.max(1, Math.ceil(all.length / PER_PAGE));
    const page = Math.min(q.page, pages);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ category: q.category, center: q.center, within: q.within, seats: q.seats })) if (v) params.set(k, String(v));
    res.render('courses/index', {
      title: req.t('courses.index.title'),
      courses: all.slice((page - 1) * PER_PAGE, page * PER_PAGE).map((x) => courseCard(req, x.course, x.taken)),
      total: all.length,
      form: formOf({ category: q.category, center: q.center, within: q.within ? String(q.within) : '', seats: q.seats ?? '' }),
      categories: categoryOptions(req),
      centers: await centerOptions(req.lang),
      withinOptions: [7, 14, 30, 60].map((n) => ({ value: String(n), label: req.t('courses.index.withinDays', { n }) })),
      pager: pager(page, pages, (p) => `/courses?${new URLSearchParams({ ...Object.fromEntries(params), page: String(p) })}`),
    });
  });

  r.get('/courses/:id', async (req, res) => {
    const course = await svc.getCourse(String(req.params.id));
    const user = req.user;
    const manage = user && (user.role === 'staff' || user.role === 'admin') ? await canActOnCenter(user, String(course.center)) : false;
    if (course.status === 'draft' && !manage) throw new HttpError(404, 'errors.notFound');
    const taken = await svc.seatsTaken(course._id);
    let mine: null | { status: string; position: number | null; label: string } = null;
    let problem = '';
    if (user?.role === 'resident') {
      const e = await svc.activeEnrolment(String(course._id), user.id);
      if (e) mine = { status: e.status, position: e.status === 'waitlisted' ? await svc.positionOf(course._id, e._id) : null, label: req.t(`courses.enrolment.${e.status}`) };
      else {
        const me = await User.findById(user.id, { role: 1, birthYear: 1 }).lean();
        const p = me ? svc.eligibilityProblem(course, me) : null;
        if (p) problem = req.t(p.key, p.params ?? {});
      }
    }
    const mayRead = await svc.mayReadMaterials(user, String(course._id));
    res.render('courses/show', {
      title: course.title,
      course: {
        ...courseCard(req, course, taken),
        description: course.description,
        instructor: course.instructor,
        requiredDocs: course.requiredDocs,
        minAge: course.minAge,
        maxAge: course.maxAge,
        completionPercent: course.completionPercent,
        enrolOpens: course.enrolOpens,
        enrolCloses: course.enrolCloses,
        open: course.status === 'published',
        sessionList: course.sessions.map((s) => sessionView(course, s, req)),
        materials: mayRead ? course.materials : [],
        materialsHidden: !mayRead && course.materials.length > 0,
      },
      mine,
      problem,
      manage,
      isResident: user?.role === 'resident',
      anonymous: !user,
    });
  });

  r.post('/courses/:id/enrol', requireLogin, async (req, res) => {
    const course = await svc.getCourse(String(req.params.id));
    try {
      const result = await svc.enrol(String(course._id), req.user!.id);
      if (result.status === 'confirmed') flash(req, 'success', result.already ? 'courses.enrolment.alreadyConfirmed' : 'courses.enrolment.confirmedMsg', { course: course.title });
      else flash(req, 'info', 'courses.enrolment.waitlistedMsg', { course: course.title, position: String(result.position ?? '') });
    } catch (err) {
      if (isRefusal(err, 'invalid', 'conflict', 'gone')) {
        flash(req, 'error', err.key, err.params);
        return res.redirect(303, `/courses/${String(course._id)}`);
      }
      throw err;
    }
    res.redirect(`/courses/${String(course._id)}`);
  });

  r.post('/courses/:id/withdraw', requireRole('resident'), confirmFirst('withdrawCourse', (req) => svc.getCourse(String(req.params.id))), async (req, res) => {
    const course = await svc.getCourse(String(req.params.id));
    await svc.withdraw(String(course._id), req.user!.id);
    flash(req, 'success', 'courses.enrolment.withdrawnMsg', { course: course.title });
    res.redirect(`/courses/${String(course._id)}`);
  });

  // ------------------------------------------------------------ residents
  r.get('/me/courses', requireRole('resident'), async (req, res) => {
    const items = await svc.myCourses(req.user!.id);
    res.render('courses/mine', {
      title: req.t('courses.mine.title'),
      items: items.map((x) => ({
        id: String(x.course._id),
        title: x.course.title,
        center: req.lang === 'en' && x.course.centerNameEn ? x.course.centerNameEn : x.course.centerName,
        venue: x.course.venue,
        status: x.enrolment.status,
        statusLabel: req.t(`courses.enrolment.${x.enrolment.status}`),
        courseStatus: req.t(`courses.status.${x.course.status}`),
        courseCancelled: x.course.status === 'cancelled',
        position: x.position,
        upcoming: x.enrolment.status === 'confirmed' ? x.upcoming.map((s) => sessionView(x.course, s, req)) : [],
        attended: x.attended,
        held: x.held,
        total: x.total,
        certificate: x.certificate,
        active: x.enrolment.status === 'confirmed' || x.enrolment.status === 'waitlisted',
      })),
    });
  });

  // ------------------------------------------------------------ QR check-in
  r.get('/checkin', requireLogin, async (req, res) => {
    const token = typeof req.query.t === 'string' ? req.query.t : '';
    const check = verifyCheckinToken(token);
    const course = check.ok ? await courseOfSession(check.sessionId) : null;
    const session = check.ok ? course?.sessions.find((s) => String(s._id) === check.sessionId) : undefined;
    // Say "too early" or "over" before the resident presses the button, not after.
    const refusal = session ? checkinRefusal(session, req.lang) : null;
    const error = !check.ok ? req.t(check.key) : !course ? req.t('errors.notFound') : refusal ? req.t(refusal.key, refusal.params) : '';
    res.status(check.ok ? (refusal ? 409 : 200) : check.key === 'courses.checkin.expired' ? 410 : 400).render('courses/checkin', {
      title: req.t('courses.checkin.title'),
      token,
      ok: !error,
      error,
      courseTitle: course?.title ?? '',
    });
  });

  r.post('/checkin', requireLogin, async (req, res) => {
    const token = typeof req.body?.t === 'string' ? req.body.t : '';
    try {
      const { course, session } = await checkIn(req.user!, token, new Date(), req.lang);
      res.render('courses/checkin', { title: req.t('courses.checkin.title'), done: true, courseTitle: course.title, session: sessionView(course, session, req) });
    } catch (err) {
      if (!isRefusal(err)) throw err;
      res.status(statusOf(err)).render('courses/checkin', { title: req.t('courses.checkin.title'), error: req.t(err.key, err.params), refused: true });
    }
  });

  // ------------------------------------------------------------ certificates (public)
  r.get('/certificates', (req, res) => {
    const code = typeof req.query.code === 'string' ? req.query.code.trim().toUpperCase() : '';
    if (code) return res.redirect(`/certificates/${encodeURIComponent(code)}`);
    res.render('certificates/lookup', { title: req.t('courses.certificate.lookupTitle') });
  });

  r.get('/certificates/:code.pdf', async (req, res) => {
    const cert = await svc.certificate(String(req.params.code));
    if (!cert) throw new HttpError(404, 'errors.notFound');
    const center = await getCenter(String(cert.center));
    const centerLabel = center ? centerName(center, req.lang) : cert.centerName;
    const url = absoluteUrl(`/certificates/${cert.code}`);
    const pdf = textPdf([
      { text: centerLabel, size: 20, y: 500 },
      { text: req.t('courses.certificate.heading'), size: 40, y: 430 },
      { text: req.t('courses.certificate.body', { name: cert.residentName, course: cert.courseTitle, hours: cert.hours }), size: 18, y: 350 },
      { text: `${req.t('courses.certificate.name')}: ${cert.residentName}`, size: 16, y: 290 },
      { text: `${req.t('courses.certificate.course')}: ${cert.courseTitle}`, size: 16, y: 262 },
      { text: `${req.t('courses.certificate.hours')}: ${cert.hours}    ${req.t('courses.certificate.attendance')}: ${cert.attendedPercent}%`, size: 16, y: 234 },
      { text: `${req.t('courses.certificate.issued')}: ${formatDate(cert.issuedAt, req.lang, 'date')}`, size: 16, y: 206 },
      { text: `${req.t('courses.certificate.code')}: ${cert.code}`, size: 20, y: 150 },
      { text: req.t('courses.certificate.verifyAt', { url }), size: 12, y: 110 },
    ]);
    res.set('Content-Disposition', `inline; filename="certificate-${cert.code}.pdf"`).type('application/pdf').send(pdf);
  });

  r.get('/certificates/:code', async (req, res) => {
    const cert = await svc.certificate(String(req.params.code));
    if (!cert) {
      return res.status(404).render('certificates/lookup', { title: req.t('courses.certificate.lookupTitle'), code: String(req.params.code).slice(0, 20), notFound: true });
    }
    const center = await getCenter(String(cert.center));
    res.render('certificates/show', {
      title: req.t('courses.certificate.title'),
      bodyClass: 'certificate-page',
      cert: {
        name: cert.residentName,
        course: cert.courseTitle,
        category: req.t(`courses.categories.${cert.category}`),
        hours: cert.hours,
        percent: cert.attendedPercent,
        center: center ? centerName(center, req.lang) : cert.centerName,
        code: cert.code,
        issuedAt: cert.issuedAt,
        url: absoluteUrl(`/certificates/${cert.code}`),
      },
      qr: await QRCode.toString(absoluteUrl(`/certificates/${cert.code}`), { type: 'svg', margin: 1 }),
    });
  });

  // ------------------------------------------------------------ staff
  r.get('/staff/courses', staff, async (req, res) => {
    const list = await svc.staffCourses(req.user!);
    res.render('courses/staff-index', {
      title: req.t('courses.staff.title'),
      courses: list.map((x) => ({ ...courseCard(req, x.course, x.taken), waiting: x.waiting })),
    });
  });

  const renderForm = async (req: Request, res: Response, form: FormState, course?: Course, status = 200) => {
    const within = req.user!.role === 'admin' ? null : req.user!.staffCenter;
    const extra = req.method === 'POST' ? extraRows(req.body) : 0;
    res.status(status).render('courses/form', {
      title: req.t(course ? 'courses.form.editTitle' : 'courses.form.newTitle'),
      form,
      action: course ? `/staff/courses/${String(course._id)}` : '/staff/courses',
      categories: categoryOptions(req),
      centers: await centerOptions(req.lang, within),
      sessions: sessionRows(form.values, extra),
      extraRows: extra,
      courseId: course ? String(course._id) : '',
    });
  };

  const formValues = (c: Course) => ({
    title: c.title,
    category: c.category,
    center: String(c.center),
    description: c.description,
    instructor: c.instructor,
    venue: c.venue,
    capacity: String(c.capacity),
    enrolOpens: c.enrolOpens ? dayKey(c.enrolOpens) : '',
    enrolCloses: c.enrolCloses ? dayKey(c.enrolCloses) : '',
    minAge: c.minAge ?? '',
    maxAge: c.maxAge ?? '',
    requiredDocs: c.requiredDocs,
    completionPercent: String(c.completionPercent),
    sessionId: c.sessions.map((s) => String(s._id)),
    sessionDate: c.sessions.map((s) => dayKey(s.startsAt)),
    sessionStart: c.sessions.map((s) => time(s.startsAt)),
    sessionEnd: c.sessions.map((s) => time(s.endsAt)),
    sessionTopic: c.sessions.map((s) => s.topic),
  });

  r.get('/staff/courses/new', staff, (req, res) =>
    renderForm(req, res, formOf({ center: req.user!.staffCenter ?? '', capacity: '20', completionPercent: '80', category: '' })),
  );

  r.post('/staff/courses', staff, async (req, res) => {
    if (req.body?.addRows) return renderForm(req, res, echoForm(req.body));
    const parsed = validate(req, courseSchema, req.body);
    if (!parsed.ok) return renderForm(req, res, parsed.form, undefined, 400);
    await assertCenterScope(req, parsed.data.center);
    const id = await svc.createCourse(req.user!, parsed.data);
    flash(req, 'success', 'courses.form.created');
    res.redirect(`/staff/courses/${id}`);
  });

  r.get('/staff/courses/:id/edit', staff, async (req, res) => {
    const course = await staffCourse(req);
    await renderForm(req, res, formOf(formValues(course)), course);
  });

  r.post('/staff/courses/:id', staff, async (req, res) => {
    const course = await staffCourse(req);
    if (req.body?.addRows) return renderForm(req, res, echoForm(req.body), course);
    const parsed = validate(req, courseSchema, req.body);
    if (!parsed.ok) return renderForm(req, res, parsed.form, course, 400);
    await assertCenterScope(req, parsed.data.center);
    const result = await svc.updateCourse(req.user!, course, parsed.data);
    if (!result.ok) return renderForm(req, res, echoForm(req.body, { [result.field]: req.t(result.key, result.params ?? {}) }), course, 400);
    flash(req, 'success', 'courses.form.saved');
    res.redirect(`/staff/courses/${String(course._id)}`);
  });

  const renderManage = async (req: Request, res: Response, course: Course, walkInForm: FormState = formOf(), status = 200) => {
    const [confirmed, waiting, taken] = await Promise.all([svc.confirmedEnrolments(course._id), svc.waitlist(course._id), svc.seatsTaken(course._id)]);
    res.status(status).render('courses/manage', {
      title: course.title,
      course: {
        ...courseCard(req, course, taken),
        completionPercent: course.completionPercent,
        sessionList: course.sessions.map((s) => sessionView(course, s, req)),
        materials: course.materials,
        draft: course.status === 'draft',
        published: course.status === 'published',
        editable: course.status === 'draft' || course.status === 'published',
      },
      confirmed: confirmed.map((e) => ({ id: String(e._id), name: e.residentName, phone: e.residentPhone, desk: e.source === 'desk' })),
      waiting: waiting.map((e, i) => ({ id: String(e._id), position: i + 1, name: e.residentName, phone: e.residentPhone })),
      form: walkInForm,
    });
  };

  r.get('/staff/courses/:id', staff, async (req, res) => renderManage(req, res, await staffCourse(req)));

  r.post('/staff/courses/:id/publish', staff, async (req, res) => {
    const course = await staffCourse(req);
    await svc.publishCourse(req.user!, course);
    flash(req, 'success', 'courses.staff.publishedMsg');
    res.redirect(`/staff/courses/${String(course._id)}`);
  });

  r.post('/staff/courses/:id/cancel', staff, confirmFirst('cancelCourse', staffCourse), async (req, res) => {
    const course = await staffCourse(req);
    const n = await svc.cancelCourse(req.user!, course);
    flash(req, 'success', 'courses.staff.cancelledMsg', { n: String(n) });
    res.redirect(`/staff/courses/${String(course._id)}`);
  });

  r.post('/staff/courses/:id/complete', staff, async (req, res) => {
    const course = await staffCourse(req);
    const { issued, notMet } = await svc.completeCourse(req.user!, course);
    flash(req, 'success', 'courses.staff.completedMsg', { issued: String(issued), notMet: String(notMet) });
    res.redirect(`/staff/courses/${String(course._id)}`);
  });

  r.post('/staff/courses/:id/walk-in', staff, async (req, res) => {
    const course = await staffCourse(req);
    if (course.status !== 'published') throw new HttpError(409, 'courses.errors.notOpen');
    const parsed = validate(req, walkInSchema, req.body);
    if (!parsed.ok) return renderManage(req, res, course, parsed.form, 400);
    const result = await svc.walkIn(req.user!, course, parsed.data);
    if (!result.ok) return renderManage(req, res, course, echoForm(req.body, { [result.field]: req.t(result.key, result.params ?? {}) }), 400);
    flash(
      req,
      'success',
      result.result.status === 'confirmed' ? 'courses.staff.walkInConfirmed' : 'courses.staff.walkInWaitlisted',
      { name: result.name, position: String(result.result.position ?? '') },
    );
    res.redirect(`/staff/courses/${String(course._id)}`);
  });

  r.post('/staff/courses/:id/enrolments/:eid/remove', staff, confirmFirst('removeEnrolment', staffCourse), async (req, res) => {
    const course = await staffCourse(req);
    await svc.removeEnrolment(req.user!, course, String(req.params.eid));
    flash(req, 'success', 'courses.staff.removedMsg');
    res.redirect(`/staff/courses/${String(course._id)}`);
  });

  // Teaching materials: multipart, CSRF token in the action URL.
  r.post(
    '/staff/courses/:id/materials',
    staff,
    async (req, _res, next) => {
      const course = await staffCourse(req);
      if (course.status === 'cancelled') throw new HttpError(409, 'courses.errors.closed');
      req.uploadOwnerId = String(course._id);
      next();
    },
    ...uploadFiles({ field: 'materials', maxFiles: 5, maxBytes: 20 * 1024 * 1024, kinds: ['pdf', 'image', 'office'], access: 'private', ownerType: 'course' }),
    async (req, res) => {
      const course = await staffCourse(req);
      if (req.uploadError) {
        flash(req, 'error', req.uploadError);
        return res.redirect(`/staff/courses/${String(course._id)}#materials`);
      }
      const files = req.uploaded ?? [];
      if (!files.length) {
        flash(req, 'error', 'courses.materials.none');
        return res.redirect(`/staff/courses/${String(course._id)}#materials`);
      }
      if (course.materials.length + files.length > 20) {
        await discardUploads(req);
        flash(req, 'error', 'courses.materials.tooMany');
        return res.redirect(`/staff/courses/${String(course._id)}#materials`);
      }
      await Course.updateOne({ _id: course._id }, { $push: { materials: { $each: files.map((f) => ({ id: f.id, name: f.name, type: f.type, size: f.size })) } } });
      await audit(req.user!, { action: 'course.materials', targetType: 'course', targetId: String(course._id), center: String(course.center), details: { added: files.map((f) => f.name).join(', ') } });
      flash(req, 'success', 'courses.materials.added', { n: String(files.length) });
      res.redirect(`/staff/courses/${String(course._id)}#materials`);
    },
  );

  r.post('/staff/courses/:id/materials/:fid/delete', staff, confirmFirst('deleteMaterial', staffCourse), async (req, res) => {
    const course = await staffCourse(req);
    const fid = String(req.params.fid);
    if (!course.materials.some((m) => m.id === fid)) throw new HttpError(404, 'errors.notFound');
    await Course.updateOne({ _id: course._id }, { $pull: { materials: { id: fid } } });
    await deleteFile(fid).catch(() => {});
    await audit(req.user!, { action: 'course.materials.delete', targetType: 'course', targetId: String(course._id), center: String(course.center), details: { file: fid } });
    flash(req, 'success', 'courses.materials.deleted');
    res.redirect(`/staff/courses/${String(course._id)}#materials`);
  });

  // ------------------------------------------------------------ sessions: QR, roll call, sheet
  const checkinUrl = (_req: Request, sessionId: string) => absoluteUrl(`/checkin?t=${encodeURIComponent(checkinToken(sessionId))}`);

  r.get('/staff/courses/:id/sessions/:sid', staff, async (req, res) => {
    const course = await staffCourse(req);
    const session = svc.findSession(course, String(req.params.sid));
    const [confirmed, present] = await Promise.all([svc.confirmedEnrolments(course._id), svc.sessionAttendance(session._id)]);
    const byResident = new Map(present.map((a) => [String(a.resident), a]));
    const url = checkinUrl(req, String(session._id));
    const window = svc.attendanceWindow(session);
    res.render('courses/session', {
      title: `${course.title} · ${formatDate(session.startsAt, req.lang, 'date')}`,
      course: { id: String(course._id), title: course.title, venue: course.venue, published: course.status === 'published' },
      session: sessionView(course, session, req),
      // The QR code only while residents can use it; roll call opens with it and stays open.
      qr: course.status === 'published' && window === 'open' ? await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) : '',
      notYet: window === 'early' ? req.t('courses.session.notStarted', { opens: time(new Date(session.startsAt.getTime() - svc.ATTENDANCE_OPENS_MS)) }) : '',
      canRoll: course.status === 'published' && window !== 'early',
      checkinUrl: url,
      roster: confirmed.map((e) => {
        const a = byResident.get(String(e.resident));
        return { id: String(e.resident), name: e.residentName, present: !!a, method: a ? req.t(`courses.session.method.${a.method}`) : '', at: a ? time(a.at) : '' };
      }),
      presentCount: present.filter((a) => confirmed.some((e) => String(e.resident) === String(a.resident))).length,
      total: confirmed.length,
      scripts: ['/socket.io/socket.io.js', '/js/courses-live.js'],
    });
  });

  // The QR image alone, refreshed by courses-live.js every 30 seconds.
  r.get('/staff/courses/:id/sessions/:sid/qr.svg', staff, async (req, res) => {
    const course = await staffCourse(req);
    const session = svc.findSession(course, String(req.params.sid));
    if (course.status !== 'published') throw new HttpError(409, 'courses.errors.closed');
    if (svc.attendanceWindow(session) !== 'open') throw new HttpError(409, 'courses.session.qrClosed');
    res.set('Cache-Control', 'no-store').type('image/svg+xml').send(await QRCode.toString(checkinUrl(req, String(session._id)), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }));
  });

  r.post('/staff/courses/:id/sessions/:sid/attendance', staff, async (req, res) => {
    const course = await staffCourse(req);
    const parsed = validate(req, rollCallSchema, req.body);
    if (!parsed.ok) throw new HttpError(400, 'errors.badRequest');
    const back = `/staff/courses/${String(course._id)}/sessions/${String(req.params.sid)}`;
    let counts: { marked: number; unmarked: number };
    try {
      counts = await svc.rollCall(req.user!, course, String(req.params.sid), parsed.data.present);
    } catch (err) {
      if (!isRefusal(err) || err.key !== 'courses.session.notStarted') throw err;
      flash(req, 'error', err.key, err.params);
      return res.redirect(303, back);
    }
    const { marked, unmarked } = counts;
    flash(req, 'success', 'courses.session.saved', { marked: String(marked), unmarked: String(unmarked) });
    res.redirect(`/staff/courses/${String(course._id)}/sessions/${String(req.params.sid)}`);
  });

  r.get('/staff/courses/:id/sessions/:sid/sheet', staff, async (req, res) => {
    const course = await staffCourse(req);
    const session = svc.findSession(course, String(req.params.sid));
    const confirmed = await svc.confirmedEnrolments(course._id);
    res.render('courses/sheet', {
      title: req.t('courses.sheet.title'),
      bodyClass: 'sheet-page',
      course: { id: String(course._id), title: course.title, venue: course.venue, instructor: course.instructor, center: req.lang === 'en' && course.centerNameEn ? course.centerNameEn : course.centerName },
      session: sessionView(course, session, req),
      rows: confirmed.map((e, i) => ({ n: i + 1, name: e.residentName, phoneTail: e.residentPhone.slice(-4) })),
      blanks: Array.from({ length: 3 }, (_, i) => ({ n: confirmed.length + i + 1 })),
    });
  });

  return r;
}
