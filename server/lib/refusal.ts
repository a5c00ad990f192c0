/**
 * The one error a service raises when it says no: what kind of no, an i18n key (with params)
 * and, where a form field is at fault, its name. Services know nothing of HTTP; the error
 * handler in server/http/errors.ts maps the kind to a status, and routes that show a form again
 * read `field` and `key`.
 */
export type RefusalKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'gone';

export class Refusal extends Error {
  readonly kind: RefusalKind;
  readonly key: string;
  readonly params: Record<string, string | number>;
  readonly field: string | undefined;
  constructor(kind: RefusalKind, key: string, params: Record<string, string | number> = {}, field?: string) {
    super(key);
    this.kind = kind;
    this.key = key;
    this.params = params;
    this.field = field;
  }
}

/** Narrows an unknown throw to a refusal, optionally of given kinds (for routes that show a form again). */
export function isRefusal(err: unknown, ...kinds: RefusalKind[]): err is Refusal {
  return err instanceof Refusal && (kinds.length === 0 || kinds.includes(err.kind));
}
