import path from 'node:path';
import { engine } from 'express-handlebars';
import type { HelperOptions } from 'handlebars';
import { translator, isLang, DEFAULT_LANG, type Lang } from '../i18n/index.ts';
import { formatDate, formatMoney, formatNumber, telHref } from '../lib/format.ts';

// Handlebars leaves alone any value with a toHTML() (what its SafeString is), so helpers can
// return markup without importing the handlebars instance express-handlebars holds.
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
const escapeHtml = (s: string) => s.replace(/[&<>"'`=]/g, (c) => ESC[c]!);
const html = (markup: string) => ({ toHTML: () => markup, toString: () => markup });
const nowrap = (cls: string, text: string) => html(`<span class="${cls}">${escapeHtml(text)}</span>`);

const langOf = (options: HelperOptions): Lang => {
  const l = (options?.data?.root as { lang?: unknown } | undefined)?.lang;
  return isLang(l) ? l : DEFAULT_LANG;
};

// Helpers take the page language from the render context, so templates never pass it.
const helpers = {
  t(key: string, options: HelperOptions) {
    return translator(langOf(options))(key, options.hash as Record<string, unknown>);
  },
  /** An amount in a nowrap span: "¥832.65" must never break into "¥83" / "2.65" on a phone. */
  money(fen: unknown, options: HelperOptions) {
    return typeof fen === 'number' ? nowrap('money', formatMoney(fen, langOf(options))) : '';
  },
  /** A phone number in a nowrap span (a tel: link when `link=true`), for the same reason. */
  phoneNumber(value: unknown, options: HelperOptions) {
    if (typeof value !== 'string' || !value) return '';
    if (!options.hash?.link) return nowrap('phone', value);
    return html(`<a class="phone" href="${telHref(value)}">${escapeHtml(value)}</a>`);
  },
  number(n: unknown, options: HelperOptions) {
    return typeof n === 'number' ? formatNumber(n, langOf(options)) : '';
  },
  date(d: Date | string | undefined, options: HelperOptions) {
    return formatDate(d, langOf(options), 'date');
  },
  datetime(d: Date | string | undefined, options: HelperOptions) {
    return formatDate(d, langOf(options), 'datetime');
  },
  eq: (a: unknown, b: unknown) => String(a) === String(b),
  ne: (a: unknown, b: unknown) => String(a) !== String(b),
  gt: (a: number, b: number) => a > b,
  not: (a: unknown) => !a,
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  includes: (list: unknown, v: unknown) => Array.isArray(list) && list.map(String).includes(String(v)),
  concat: (...args: unknown[]) => args.slice(0, -1).join(''),
  hasErrors: (form: { errors?: Record<string, string> } | undefined) => !!form && Object.keys(form.errors ?? {}).length > 0,
  /** Reads `form.values[name]` / `form.errors[name]` for the field partials. */
  lookupField: (obj: Record<string, unknown> | undefined, name: string) => (obj ? obj[name] : undefined),
};

export function viewEngine(root: string) {
  return engine({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(root, 'views/layouts'),
    partialsDir: path.join(root, 'views/partials'),
    helpers,
  });
}
