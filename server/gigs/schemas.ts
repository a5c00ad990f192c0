import { z } from 'zod';
import { objectId, phone } from '../accounts/schemas.ts';
import { yuanToFen } from '../lib/format.ts';
import { PAY_TYPES, SUITABILITY } from '../../models/posting.ts';
import { isValidCreditCode } from './credit-code.ts';

const text = (max: number) => z.string().trim().max(max);
const required = (max: number) => z.string().trim().min(1).max(max);
const day = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'gigs.errors.date').refine((v) => !Number.isNaN(Date.parse(v)), 'gigs.errors.date');
const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const employerProfileSchema = z.object({
  name: required(80),
  contactName: required(40),
  phone: z.string().trim().regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, 'gigs.errors.contactPhone'),
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
    category: z.string().trim().regex(/^[a-z][a-z0-9-]{1,30}$/, 'errors.choose'),
    payType: z.enum(PAY_TYPES, 'errors.choose'),
    pay: z
      .string()
      .trim()
      .min(1)
      .transform((v, ctx) => {
        const fen = yuanToFen(v);
        if (fen === undefined || fen < 1 || fen > 10_000_000) {
          ctx.addIssue({ code: 'custom', message: 'gigs.errors.pay' });
          return z.NEVER;
        }
        return fen;
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
  .refine((v) => v.endDay >= v.startDay, { path: ['endDay'], message: 'gigs.errors.endBeforeStart' });

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
  key: z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9-]{1,30}$/, 'gigs.errors.categoryKey'),
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
