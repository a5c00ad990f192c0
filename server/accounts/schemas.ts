import { isObjectId } from '../lib/ids.ts';
import { z } from 'zod';

export const PHONE_RE = /^1[3-9]\d{9}$/;

/**
 * The one form of a phone number used for every key, lookup and limit: full-width digits become
 * ASCII (NFKC) and every space or invisible format character is dropped, so " 139…", "139…\u3000"
 * and "１３９…" are one account and one rate-limit bucket (issue 14, finding 1).
 */
export function normalizePhone(raw: unknown): string {
  return String(raw ?? '')
    .normalize('NFKC')
    .replace(/[\s\p{Cf}\p{Zs}]/gu, '')
    .slice(0, 40);
}

export const phone = z.string().max(200).overwrite(normalizePhone).regex(PHONE_RE, 'errors.phone');
export const objectId = z.string().trim().refine(isObjectId, 'errors.choose');
const name = z.string().trim().min(1).max(40);
const email = z.union([z.literal(''), z.email('errors.email').max(120)]).default('');
// Long enough to resist guessing, short enough to type on a phone; no composition rules.
const password = z.string().min(8, 'errors.passwordShort').max(128);
const skills = z
  .string()
  .max(300)
  .default('')
  .transform((s) =>
    [
      ...new Set(
        s
          .split(/[,，、\n]/)
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ].slice(0, 20),
  );

export const registerSchema = z
  .object({
    role: z.enum(['resident', 'employer'], 'errors.choose'),
    name,
    phone,
    email,
    password,
    passwordConfirm: z.string(),
    homeCenter: objectId,
    // Consent to the privacy notice (/privacy): nobody gets an account without it.
    privacyConsent: z.literal('on', 'privacy.consent.required'),
  })
  .refine((v) => v.password === v.passwordConfirm, { path: ['passwordConfirm'], message: 'errors.passwordMismatch' });

export const loginSchema = z.object({
  phone: z.string().max(200).overwrite(normalizePhone),
  password: z.string().max(128),
  returnTo: z.string().max(500).optional(),
});

const birthYear = z
  .union([z.literal(''), z.coerce.number().int().min(1900).max(new Date().getFullYear())])
  .default('')
  .transform((v) => (v === '' ? null : v));

export const profileSchema = z.object({
  name,
  email,
  homeCenter: objectId,
  skills,
  birthYear,
});

export const staffFieldsSchema = z.object({
  lowIncome: z
    .enum(['on'])
    .optional()
    .transform((v) => v === 'on'),
  lowIncomeConsent: z
    .enum(['on'])
    .optional()
    .transform((v) => v === 'on'),
});

export const createStaffSchema = z.object({
  name,
  phone,
  password,
  staffCenter: objectId,
  role: z.enum(['staff', 'admin'], 'errors.choose').default('staff'),
});

/** Staff correct a resident's name and birth year at the desk. */
export const residentEditSchema = z.object({ name, birthYear });

/** The desk reset asks the staff member to confirm they checked the resident's ID card. */
export const resetConfirmSchema = z.object({ idChecked: z.literal('on', 'accounts.reset.confirmRequired') });

/** Disabling an account is confirmed with a ticked box (works without JavaScript). */
export const disableConfirmSchema = z.object({ confirm: z.literal('on', 'admin.accounts.confirmRequired') });

export const changePasswordSchema = z
  .object({ current: z.string().max(128).default(''), password, passwordConfirm: z.string() })
  .refine((v) => v.password === v.passwordConfirm, { path: ['passwordConfirm'], message: 'errors.passwordMismatch' });
