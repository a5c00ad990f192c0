import { z } from 'zod';
import { COURSE_CATEGORIES } from '../../models/course.ts';
import { objectId, phone } from '../accounts/schemas.ts';

const text = (max: number) => z.string().trim().max(max).default('');
const optInt = (min: number, max: number) =>
  z
    .union([z.literal(''), z.coerce.number().int().min(min).max(max)])
    .default('')
    .transform((v) => (v === '' ? null : v));
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const optDate = z.union([z.literal(''), z.string().trim().regex(DATE_RE, 'courses.errors.date')]).default('');
const list = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(200)).max(60));

/** Local (Asia/Shanghai) date + time → Date. */
export function cst(date: string, time = '00:00'): Date {
  return new Date(`${date}T${time}:00+08:00`);
}

export interface SessionInput {
  id: string | null;
  startsAt: Date;
  endsAt: Date;
  topic: string;
}

export const courseSchema = z
  .object({
    title: z.string().trim().min(1).max(80),
    category: z.enum(COURSE_CATEGORIES, 'errors.choose'),
    center: objectId,
    description: text(3000),
    instructor: text(60),
    venue: text(120),
    capacity: z.coerce.number('errors.invalid').int().min(1).max(500),
    enrolOpens: optDate,
    enrolCloses: optDate,
    minAge: optInt(0, 120),
    maxAge: optInt(0, 120),
    requiredDocs: text(300),
    completionPercent: z.coerce.number('errors.invalid').int().min(0).max(100).default(80),
    // Hours a freed seat is held for the next person waiting (empty: the default, 24).
    offerHours: z
      .union([z.literal(''), z.coerce.number('errors.invalid').int().min(1).max(168)])
      .default('')
      .transform((v) => (v === '' ? 24 : v)),
    sessionId: list,
    sessionDate: list,
    sessionStart: list,
    sessionEnd: list,
    sessionTopic: list,
  })
  .superRefine((v, ctx) => {
    if (v.minAge != null && v.maxAge != null && v.minAge > v.maxAge) ctx.addIssue({ code: 'custom', path: ['maxAge'], message: 'courses.errors.ageRange' });
    if (v.enrolOpens && v.enrolCloses && v.enrolOpens > v.enrolCloses)
      ctx.addIssue({ code: 'custom', path: ['enrolCloses'], message: 'courses.errors.windowRange' });
    let filled = 0;
    v.sessionDate.forEach((d, i) => {
      const start = (v.sessionStart[i] ?? '').trim();
      const end = (v.sessionEnd[i] ?? '').trim();
      const topic = (v.sessionTopic[i] ?? '').trim();
      if (!d.trim() && !start && !end && !topic) return;
      filled += 1;
      if (!DATE_RE.test(d.trim()) || !TIME_RE.test(start) || !TIME_RE.test(end))
        ctx.addIssue({ code: 'custom', path: ['sessions'], message: 'courses.errors.sessionFormat' });
      else if (end <= start) ctx.addIssue({ code: 'custom', path: ['sessions'], message: 'courses.errors.sessionOrder' });
      if (topic.length > 120) ctx.addIssue({ code: 'custom', path: ['sessions'], message: 'courses.errors.sessionFormat' });
    });
    if (!filled) ctx.addIssue({ code: 'custom', path: ['sessions'], message: 'courses.errors.sessionsRequired' });
  })
  .transform((v) => {
    const sessions: SessionInput[] = [];
    v.sessionDate.forEach((d, i) => {
      if (!d.trim()) return;
      const id = (v.sessionId[i] ?? '').trim();
      sessions.push({
        id: /^[a-f\d]{24}$/i.test(id) ? id : null,
        startsAt: cst(d.trim(), v.sessionStart[i]!.trim()),
        endsAt: cst(d.trim(), v.sessionEnd[i]!.trim()),
        topic: (v.sessionTopic[i] ?? '').trim(),
      });
    });
    sessions.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    return {
      title: v.title,
      category: v.category,
      center: v.center,
      description: v.description,
      instructor: v.instructor,
      venue: v.venue,
      capacity: v.capacity,
      enrolOpens: v.enrolOpens ? cst(v.enrolOpens) : null,
      enrolCloses: v.enrolCloses ? new Date(cst(v.enrolCloses).getTime() + 24 * 3600_000 - 1) : null,
      minAge: v.minAge,
      maxAge: v.maxAge,
      requiredDocs: v.requiredDocs,
      completionPercent: v.completionPercent,
      offerHours: v.offerHours,
      sessions,
    };
  });

export type CourseInput = z.output<typeof courseSchema>;

export const catalogueSchema = z.object({
  category: z.union([z.literal(''), z.enum(COURSE_CATEGORIES)]).catch(''),
  center: z.union([z.literal(''), objectId]).catch(''),
  within: z.union([z.literal(''), z.coerce.number().int().min(1).max(365)]).catch(''),
  seats: z.enum(['1']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1000).catch(1),
});

export const walkInSchema = z.object({
  phone,
  name: z.string().trim().max(40).default(''),
  birthYear: z
    .union([z.literal(''), z.coerce.number().int().min(1900).max(new Date().getFullYear())])
    .default('')
    .transform((v) => (v === '' ? null : v)),
  // A new account is made only when staff confirm the person has read or heard the privacy notice.
  consent: z
    .enum(['on'])
    .optional()
    .transform((v) => v === 'on'),
});

export const rollCallSchema = z.object({
  present: list.pipe(z.array(objectId)),
});
