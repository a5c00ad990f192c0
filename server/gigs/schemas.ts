import { z } from 'zod';
import { objectId, phone } from '../accounts/schemas.ts';
import { yuanToFen } from '../lib/format.ts';
import { PAY_TYPES, SUITABILITY } from '../../models/posting.ts';
import { isValidCreditCode } from './credit-code.ts';

const text = (max: number) => z.string().trim().max(max);
const required = (max: number) => z.string().trim().min(1).max(max);
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const day = z
  .string()
  .trim()
  .regex(DAY_RE, 'gigs.errors.date')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'gigs.errors.date');
const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const MAX_PAY_FEN = 10_000_000;

/** Why a typed wage is refused, one message per reason (an i18n key), or null when it is fine. */
export function payProblem(input: string): string | null {
  const v = input.trim().replace(/^[¥￥]\s*/, '');
  if (/^-\s*\d/.test(v)) return 'gigs.errors.payTooSmall';
  if (!/^\d+(\.\d*)?$/.test(v)) return 'gigs.errors.pay';
  const [whole, frac = ''] = v.split('.');
  if (frac.length > 2) return 'gigs.errors.payDecimals';
  if (whole!.replace(/^0+/, '').length > 9) return 'gigs.errors.payTooLarge';
  const fen = yuanToFen(v);
  if (fen === undefined) return 'gigs.errors.pay';
  if (fen < 1) return 'gigs.errors.payTooSmall';
  if (fen > MAX_PAY_FEN) return 'gigs.errors.payTooLarge';
  return null;
}

export const employerProfileSchema = z.object({
  name: required(80),
  contactName: required(40),
  phone: z
    .string()
    .trim()
    .regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, 'gigs.errors.contactPhone'),
  address: required(200),
  creditCode: z
    .string()
    .trim()
    .toUpperCase()
    .refine((v) => v.length > 0, 'errors.required')
    .refine((v) => v.length === 0 || isValidCreditCode(v), 'gigs.errors.creditCode'),
  center: objectId,
});

export const postingSchema = z
  .object({
    title: required(60),
    description: required(3000),
    category: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9-]{1,30}$/, 'errors.choose'),
    payType: z.enum(PAY_TYPES, 'errors.choose'),
    pay: z
      .string()
      .trim()
      .min(1)
      .transform((v, ctx) => {
        const problem = payProblem(v);
        if (problem) {
          ctx.addIssue({ code: 'custom', message: problem });
          return z.NEVER;
        }
        return yuanToFen(v.replace(/^[¥￥]\s*/, ''))!;
      }),
    headcount: z.coerce.number('gigs.errors.headcount').int('gigs.errors.headcount').min(1, 'gigs.errors.headcount').max(500, 'gigs.errors.headcount'),
    startDay: day,
    endDay: day,
    dailyHours: text(60).default(''),
    center: objectId,
    address: text(200).default(''),
    reqAge: text(100).default(''),
    reqPhysical: text(200).default(''),
    reqSkills: text(300).default(''),
    suitability: list.pipe(z.array(z.enum(SUITABILITY, 'errors.choose')).max(SUITABILITY.length)),
    contact: required(200),
    removeAttachments: list.pipe(z.array(z.string().max(40)).max(10)),
  })
  // Checked even when other fields are wrong, so every error shows on the first try.
  .refine((v) => v.endDay >= v.startDay, {
    path: ['endDay'],
    message: 'gigs.errors.endBeforeStart',
    when: ({ value }) => {
      const v = value as { startDay?: unknown; endDay?: unknown };
      return typeof v.startDay === 'string' && typeof v.endDay === 'string' && DAY_RE.test(v.startDay.trim()) && DAY_RE.test(v.endDay.trim());
    },
  });

export type PostingInput = z.output<typeof postingSchema>;

export const reasonSchema = z.object({ reason: required(300) });

export const applySchema = z.object({
  message: text(300).default(''),
  availability: text(200).default(''),
});

export const onBehalfSchema = z.object({
  phone,
  message: text(300).default(''),
  availability: text(200).default(''),
  consent: z.literal('on', 'gigs.errors.consent'),
});

export const categorySchema = z.object({
  key: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z][a-z0-9-]{1,30}$/, 'gigs.errors.categoryKey'),
  name: required(30),
  nameEn: required(60),
});

const intParam = (min: number, max: number) =>
  z.preprocess((v) => (v === '' || v === undefined || Array.isArray(v) ? undefined : v), z.coerce.number().int().min(min).max(max).optional()).catch(undefined);

/** The public search: everything optional, bad values are ignored rather than refused. */
export const searchSchema = z.object({
  q: z.preprocess((v) => (typeof v === 'string' ? v.trim().slice(0, 50) : ''), z.string()),
  center: z.preprocess((v) => (typeof v === 'string' && /^[a-f\d]{24}$/i.test(v) ? v : ''), z.string()),
  category: z.preprocess((v) => (typeof v === 'string' && /^[a-z][a-z0-9-]{1,30}$/.test(v) ? v : ''), z.string()),
  payType: z.preprocess((v) => ((PAY_TYPES as readonly unknown[]).includes(v) ? v : ''), z.string()),
  minPay: z.preprocess((v) => (typeof v === 'string' && yuanToFen(v) !== undefined ? v.trim() : ''), z.string()),
  within: intParam(0, 365),
  tag: z.preprocess((v) => ((SUITABILITY as readonly unknown[]).includes(v) ? v : ''), z.string()),
  sort: z.preprocess((v) => (v === 'pay' || v === 'start' ? v : 'new'), z.enum(['new', 'pay', 'start'])),
  page: intParam(1, 10_000),
});
export type SearchInput = z.output<typeof searchSchema>;
