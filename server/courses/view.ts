// View models of the course pages: what a template gets, in the page's language.
import type { Request, Response } from 'express';
import { qrSvg } from '../lib/qr.ts';
import { COURSE_CATEGORIES } from '../../models/course.ts';
import { formOf, type FormState } from '../http/validate.ts';
import { centerName, centerOptions, getCenter } from '../centers/tree.ts';
import { clockTime, dayKey, formatDate } from '../lib/format.ts';
import { pager } from '../lib/pager.ts';
import { textPdf } from './pdf.ts';
import { extraRows, sessionRows } from './form-rows.ts';
import type { catalogueSchema } from './schemas.ts';
import type { z } from 'zod';
import * as catalog from './service/catalog.ts';
import * as roster from './service/roster.ts';
import type * as certificates from './service/certificates.ts';
import { ATTENDANCE_OPENS_MS, attendanceWindow, type sessionAttendance } from './service/attendance.ts';

type Course = catalog.LeanCourse;
type Session = Course['sessions'][number];
const PER_PAGE = 20;
const time = clockTime;

// Older data carries "第 N 课" as a topic; the numbered label says that already, in the page language.
const GENERIC_TOPIC = /^第\s*\d+\s*[课节次]$/;

/** A session as people read it: the day with its weekday, the hours, "Session N", the topic. */
export function sessionView(course: Pick<Course, 'sessions'>, s: Session, req: Request, now = new Date()) {
  // Callers pass one of the course's own sessions, so a reference match finds it without
  // turning every session id into a string (a catalogue page has twenty cards).
  const at = course.sessions.indexOf(s);
  const n = (at >= 0 ? at : course.sessions.findIndex((x) => String(x._id) === String(s._id))) + 1;
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

const centerLabelOf = (req: Request, c: Pick<Course, 'centerName' | 'centerNameEn'>) => (req.lang === 'en' && c.centerNameEn ? c.centerNameEn : c.centerName);

export function courseCard(req: Request, c: Course, taken: number) {
  const next = catalog.nextSession(c);
  return {
    id: String(c._id),
    title: c.title,
    category: req.t(`courses.categories.${c.category}`),
    center: centerLabelOf(req, c),
    venue: c.venue,
    capacity: c.capacity,
    taken,
    left: Math.max(0, c.capacity - taken),
    full: taken >= c.capacity,
    nearlyFull: taken < c.capacity && c.capacity - taken <= Math.max(2, Math.ceil(c.capacity * 0.15)),
    next: next ? sessionView(c, next, req) : null,
    sessions: c.sessions.length,
    hours: catalog.courseHours(c),
    status: c.status,
    statusLabel: req.t(`courses.status.${c.status}`),
  };
}

const categoryOptions = (req: Request) => COURSE_CATEGORIES.map((v) => ({ value: v, label: req.t(`courses.categories.${v}`) }));

// ------------------------------------------------------------ public pages

type CatalogueQuery = z.output<typeof catalogueSchema>;
type CatalogueEntry = Awaited<ReturnType<typeof catalog.catalogue>>[number];

export async function catalogueView(req: Request, q: CatalogueQuery, all: CatalogueEntry[]) {
  const pages = Math.max(1, Math.ceil(all.length / PER_PAGE));
  const page = Math.min(q.page, pages);
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ category: q.category, center: q.center, within: q.within, seats: q.seats })) if (v) params.set(k, String(v));
  return {
    title: req.t('courses.index.title'),
    courses: all.slice((page - 1) * PER_PAGE, page * PER_PAGE).map((x) => courseCard(req, x.course, x.taken)),
    total: all.length,
    form: formOf({ category: q.category, center: q.center, within: q.within ? String(q.within) : '', seats: q.seats ?? '' }),
    categories: categoryOptions(req),
    centers: await centerOptions(req.lang),
    withinOptions: [7, 14, 30, 60].map((n) => ({ value: String(n), label: req.t('courses.index.withinDays', { n }) })),
    pager: pager(page, pages, (p) => `/courses?${new URLSearchParams({ ...Object.fromEntries(params), page: String(p) })}`),
  };
}

export type MyPlace = null | { status: string; position: number | null; label: string; offer: OfferView | null };
type OfferView = { until: string; first: string };

/** An open offer as the resident reads it: answer by (date and time), first class on. */
export function offerView(req: Request, course: Pick<Course, 'firstSessionAt'>, e: { status: string; offerExpiresAt?: Date | null }): OfferView | null {
  if (e.status !== 'offered') return null;
  return { until: formatDate(e.offerExpiresAt, req.lang, 'datetime'), first: formatDate(course.firstSessionAt, req.lang, 'datetime') };
}

export function myPlace(req: Request, course: Course, e: { status: string; offerExpiresAt?: Date | null }, position: number | null): MyPlace {
  return { status: e.status, position, label: req.t(`courses.enrolment.${e.status}`), offer: offerView(req, course, e) };
}

export function courseShowView(req: Request, course: Course, taken: number, mayRead: boolean) {
  return {
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
  };
}

type MyCourse = Awaited<ReturnType<typeof roster.myCourses>>[number];

export function myCourseView(req: Request, x: MyCourse) {
  return {
    id: String(x.course._id),
    title: x.course.title,
    center: centerLabelOf(req, x.course),
    venue: x.course.venue,
    status: x.enrolment.status,
    statusLabel: req.t(`courses.enrolment.${x.enrolment.status}`),
    courseStatus: req.t(`courses.status.${x.course.status}`),
    courseCancelled: x.course.status === 'cancelled',
    position: x.position,
    offer: offerView(req, x.course, x.enrolment),
    waiting: x.enrolment.status === 'waitlisted',
    upcoming: x.enrolment.status === 'confirmed' ? x.upcoming.map((s) => sessionView(x.course, s, req)) : [],
    attended: x.attended,
    held: x.held,
    total: x.total,
    certificate: x.certificate,
    active: ['confirmed', 'waitlisted', 'offered'].includes(x.enrolment.status),
  };
}

// ------------------------------------------------------------ certificates

type Certificate = NonNullable<Awaited<ReturnType<typeof certificates.certificate>>>;

export async function certificatePdf(req: Request, cert: Certificate, url: string): Promise<Buffer> {
  const center = await getCenter(String(cert.center));
  const centerLabel = center ? centerName(center, req.lang) : cert.centerName;
  return textPdf([
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
}

export async function certificateView(req: Request, cert: Certificate, url: string) {
  const center = await getCenter(String(cert.center));
  return {
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
      url,
    },
    qr: await qrSvg(url),
  };
}

// ------------------------------------------------------------ staff pages

export async function renderForm(req: Request, res: Response, form: FormState, course?: Course, status = 200) {
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
}

/** The edit form filled from a stored course. */
export const formValues = (c: Course) => ({
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
  offerHours: String(c.offerHours ?? 24),
  sessionId: c.sessions.map((s) => String(s._id)),
  sessionDate: c.sessions.map((s) => dayKey(s.startsAt)),
  sessionStart: c.sessions.map((s) => time(s.startsAt)),
  sessionEnd: c.sessions.map((s) => time(s.endsAt)),
  sessionTopic: c.sessions.map((s) => s.topic),
});

export async function renderManage(req: Request, res: Response, course: Course, walkInForm: FormState = formOf(), status = 200) {
  const [confirmed, waiting, taken, queue] = await Promise.all([
    roster.confirmedEnrolments(course._id),
    roster.waitlist(course._id),
    catalog.seatsTaken(course._id),
    roster.offerQueue(course._id),
  ]);
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
    queue: queueView(req, queue),
    offeredCount: queue.filter((e) => e.status === 'offered').length,
    offerHours: course.offerHours ?? 24,
    form: walkInForm,
  });
}

/** The staff's view of the queue: open offers, then those waiting in order, then recent lapses and refusals. */
function queueView(req: Request, queue: Awaited<ReturnType<typeof roster.offerQueue>>) {
  let n = 0;
  return queue.map((e) => {
    const at = e.status === 'offered' ? e.offerExpiresAt : e.endedAt;
    const position = e.status === 'waitlisted' ? (n += 1) : null;
    const state = req.t(`waitlist.queue.state.${e.status}`, { n: position ?? '', at: formatDate(at, req.lang, 'datetime') });
    return {
      id: String(e._id),
      name: e.residentName,
      phone: e.residentPhone,
      status: e.status,
      state,
      position,
      active: e.status === 'waitlisted' || e.status === 'offered',
    };
  });
}

type Confirmed = Awaited<ReturnType<typeof roster.confirmedEnrolments>>;
type Present = Awaited<ReturnType<typeof sessionAttendance>>;

export async function sessionPageView(req: Request, course: Course, session: Session, confirmed: Confirmed, present: Present, url: string) {
  const byResident = new Map(present.map((a) => [String(a.resident), a]));
  const window = attendanceWindow(session);
  return {
    title: `${course.title} · ${formatDate(session.startsAt, req.lang, 'date')}`,
    course: { id: String(course._id), title: course.title, venue: course.venue, published: course.status === 'published' },
    session: sessionView(course, session, req),
    // The QR code only while residents can use it; roll call opens with it and stays open.
    qr: course.status === 'published' && window === 'open' ? await qrSvg(url) : '',
    notYet: window === 'early' ? req.t('courses.session.notStarted', { opens: time(new Date(session.startsAt.getTime() - ATTENDANCE_OPENS_MS)) }) : '',
    canRoll: course.status === 'published' && window !== 'early',
    checkinUrl: url,
    roster: confirmed.map((e) => {
      const a = byResident.get(String(e.resident));
      return {
        id: String(e.resident),
        name: e.residentName,
        present: !!a,
        method: a ? req.t(`courses.session.method.${a.method}`) : '',
        at: a ? time(a.at) : '',
      };
    }),
    presentCount: present.filter((a) => confirmed.some((e) => String(e.resident) === String(a.resident))).length,
    total: confirmed.length,
    scripts: ['/socket.io/socket.io.js', '/js/courses-live.js'],
  };
}

export function sheetView(req: Request, course: Course, session: Session, confirmed: Confirmed) {
  return {
    title: req.t('courses.sheet.title'),
    bodyClass: 'sheet-page',
    course: { id: String(course._id), title: course.title, venue: course.venue, instructor: course.instructor, center: centerLabelOf(req, course) },
    session: sessionView(course, session, req),
    rows: confirmed.map((e, i) => ({ n: i + 1, name: e.residentName, phoneTail: e.residentPhone.slice(-4) })),
    blanks: Array.from({ length: 3 }, (_, i) => ({ n: confirmed.length + i + 1 })),
  };
}
