import { z } from 'zod';
import { yuanToFen } from '../lib/format.ts';
import { objectId, phone } from '../accounts/schemas.ts';
import { COURSE_CATEGORIES } from '../../models/course.ts';

const text = (max: number) => z.string().trim().max(max).default('');
const optionalId = z
  .union([z.literal(''), objectId])
  .default('')
  .transform((v) => (v === '' ? null : v));
const dateKey = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'errors.invalid');
const count = z.coerce.number('errors.invalid').int('errors.invalid').min(0).max(100_000);
const idemKey = z
  .string()
  .trim()
  .min(8, 'errors.badRequest')
  .max(100)
  .regex(/^[\w-]+$/, 'errors.badRequest');

export const money = z
  .string()
  .trim()
  .min(1)
  .transform((v, ctx) => {
    const fen = yuanToFen(v);
    if (fen === undefined) {
      ctx.addIssue({ code: 'custom', message: 'workshops.errors.money' });
      return z.NEVER;
    }
    return fen;
  });

export const workshopSchema = z.object({
  name: z.string().trim().min(1).max(80),
  description: text(2000),
  center: objectId,
  address: text(200),
  hours: text(200),
  lead: optionalId,
  trainingCategory: z.union([z.literal(''), z.enum(COURSE_CATEGORIES)], 'errors.choose').default(''),
  trainingCourses: z
    .string()
    .trim()
    .max(500)
    .default('')
    .transform((s) => [...new Set(s.split(/[\s,，、]+/).filter(Boolean))])
    .refine((ids) => ids.every((id) => /^[a-f\d]{24}$/i.test(id)), 'workshops.errors.courseIds'),
  photos: z
    .string()
    .trim()
    .max(1000)
    .default('')
    .transform((s) => s.split(/\s+/).filter(Boolean).slice(0, 6))
    .refine((urls) => urls.every((u) => /^\/[\w./-]+$/.test(u)), 'workshops.errors.photos'),
  active: z
    .enum(['on'])
    .optional()
    .transform((v) => v === 'on'),
});

export const taskSchema = z.object({
  name: z.string().trim().min(1).max(60),
  unit: z.string().trim().min(1).max(10),
  rate: money,
});

export const rateSchema = z.object({
  rate: money,
  active: z
    .enum(['on'])
    .optional()
    .transform((v) => v === 'on'),
});

export const admitSchema = z.object({
  phone,
  reason: text(300),
});

export const entrySchema = z.object({
  workerId: objectId,
  taskId: objectId,
  counted: count,
  rejected: count.default(0),
  date: dateKey,
  note: text(300),
  orderId: optionalId,
  idempotencyKey: idemKey,
});

export const correctionSchema = z.object({
  counted: count,
  rejected: count.default(0),
  reason: z.string().trim().min(2, 'workshops.errors.reasonRequired').max(300),
  idempotencyKey: idemKey,
});

export const closeSchema = z.object({
  month: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}$/, 'errors.invalid'),
});

export const paidSchema = z.object({
  paidAt: dateKey,
  method: z.enum(['cash', 'bank', 'wechat', 'alipay'], 'errors.choose'),
});

export const answerSchema = z
  .object({
    date: dateKey,
    wrong: z
      .enum(['1'])
      .optional()
      .transform((v) => v === '1'),
    comment: text(500),
  })
  .refine((v) => !v.wrong || v.comment.length >= 2, { path: ['comment'], message: 'workshops.errors.commentRequired' });

export const replySchema = z.object({ reply: z.string().trim().min(2).max(500) });

export const orderSchema = z.object({
  client: z.string().trim().min(1).max(80),
  taskId: objectId,
  quantity: z.coerce.number('errors.invalid').int('errors.invalid').min(1).max(10_000_000),
  rate: money,
  deadline: dateKey,
});

export const batchSchema = z.object({
  workerId: objectId,
  taskId: objectId,
  orderId: optionalId,
  quantity: z.coerce.number('errors.invalid').int('errors.invalid').min(1).max(100_000),
});

export const returnSchema = z
  .object({ returned: count, rejected: count.default(0) })
  .refine((v) => v.rejected <= v.returned, { path: ['rejected'], message: 'workshops.errors.rejectedTooMany' });

export const selfReportSchema = z.object({
  taskId: objectId,
  counted: z.coerce.number('errors.invalid').int('errors.invalid').min(1).max(100_000),
  date: dateKey,
  note: text(300),
  idempotencyKey: idemKey,
});

export const decideSchema = z
  .object({
    decision: z.enum(['confirm', 'decline'], 'errors.choose'),
    counted: count.default(0),
    rejected: count.default(0),
    reply: text(300),
  })
  .refine((v) => v.rejected <= v.counted, { path: ['rejected'], message: 'workshops.errors.rejectedTooMany' })
  .refine((v) => v.decision === 'confirm' || v.reply.length >= 2, { path: ['reply'], message: 'workshops.errors.replyRequired' });
