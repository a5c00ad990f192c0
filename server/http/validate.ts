import type { Request } from 'express';
import type { z } from 'zod';

export type FieldErrors = Record<string, string>;

export interface FormState {
  values: Record<string, unknown>;
  errors: FieldErrors;
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; form: FormState };

/**
 * The one validation helper: parses input with a zod schema and, on failure, returns the
 * localized field errors plus what the user typed so the form comes back filled in.
 * Schemas put i18n keys (`errors.*` or `<ns>.errors.*`) in custom messages.
 */
export function validate<S extends z.ZodType>(req: Request, schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : '_form';
    if (errors[field]) continue;
    errors[field] = messageFor(req, issue);
  }
  return { ok: false, form: { values: echoValues(input), errors } };
}

function messageFor(req: Request, issue: z.core.$ZodIssue): string {
  const i = issue as z.core.$ZodIssue & { minimum?: number | bigint; maximum?: number | bigint; origin?: string; input?: unknown };
  if (/^[\w-]+(\.[\w-]+)+$/.test(issue.message) && !issue.message.startsWith('Invalid')) {
    return req.t(issue.message, { min: String(i.minimum ?? ''), max: String(i.maximum ?? '') });
  }
  const blank = i.input === undefined || i.input === null || i.input === '';
  switch (issue.code) {
    case 'invalid_type':
      return req.t(blank ? 'errors.required' : 'errors.invalid');
    case 'too_small':
      if (i.origin === 'string') return req.t(Number(i.minimum) <= 1 ? 'errors.required' : 'errors.tooShort', { min: String(i.minimum) });
      if (i.origin === 'array' || i.origin === 'set') return req.t('errors.chooseAtLeast', { min: String(i.minimum) });
      return req.t('errors.tooSmall', { min: String(i.minimum) });
    case 'too_big':
      if (i.origin === 'string') return req.t('errors.tooLong', { max: String(i.maximum) });
      if (i.origin === 'array' || i.origin === 'set') return req.t('errors.chooseAtMost', { max: String(i.maximum) });
      return req.t('errors.tooBig', { max: String(i.maximum) });
    case 'invalid_value':
      return req.t(blank ? 'errors.required' : 'errors.choose');
    default:
      return req.t(blank ? 'errors.required' : 'errors.invalid');
  }
}

/** Only plain strings (and string lists) go back into a form; never objects or operators. */
function echoValues(input: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!input || typeof input !== 'object') return out;
  for (const [k, v] of Object.entries(input)) {
    if (k === '_csrf' || /password/i.test(k)) continue;
    if (typeof v === 'string') out[k] = v.slice(0, 5000);
    else if (Array.isArray(v)) out[k] = v.filter((x) => typeof x === 'string').map((x: string) => x.slice(0, 5000));
  }
  return out;
}

/** The form as typed, for re-rendering after a refusal that came from a service, not zod. */
export function echoForm(input: unknown, errors: FieldErrors = {}): FormState {
  return { values: echoValues(input), errors };
}

/**
 * The form as typed with a service's refusal beside its field (or above the form): the one way a
 * refused form comes back, whether the service returned `{ ok: false, field, key }` or threw.
 */
export function refusedForm(req: Request, refusal: { field?: string; key: string; params?: Record<string, string | number> }): FormState {
  return echoForm(req.body, { [refusal.field ?? '_form']: req.t(refusal.key, refusal.params ?? {}) });
}

/** A form state for a first render, from saved values. */
export function formOf(values: Record<string, unknown> = {}): FormState {
  return { values, errors: {} };
}
