import { translator, type Lang } from '../i18n/index.ts';
import { formatMonth, TIME_ZONE } from '../lib/format.ts';

// What a notification says as a text message. Texts are short (one SMS segment: 70 characters
// when any character needs Unicode, 160 when all are plain ASCII; an English text quoting a
// Chinese course title or place may take two Unicode segments, 134), in the recipient's language,
// and name nobody but the recipient, by first name only: no phone numbers, no other person's
// name or address, no amounts. Each type that may go out by SMS has a template under
// `outbox.sms.<type>` with its own choice of params; a type without one stays on the site.

const UNICODE_LIMIT = { 'zh-CN': 70, en: 134 } satisfies Record<Lang, number>;
const ASCII_LIMIT = 160;
// Any free-text value is cut to this first; the fitting below shortens further if it must.
const PARAM_LIMIT = 40;

// Surnames of two characters, so 欧阳娜娜 is addressed as 娜娜, not 阳娜娜.
const COMPOUND_SURNAMES = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '令狐',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '端木',
  '南宫',
  '独孤',
];

/** The given name alone: 金士媖 → 士媖, "Li Wei" → "Li"; a one-character name stays whole. */
export function firstName(fullName: string): string {
  const name = fullName.trim();
  if (/\s/.test(name)) return name.split(/\s+/)[0]!;
  if (!/^\p{Script=Han}{2,}$/u.test(name)) return name;
  const surname = COMPOUND_SURNAMES.find((s) => name.startsWith(s) && name.length > s.length) ?? name.slice(0, 1);
  return name.slice(surname.length);
}

const shorten = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s);

/** Whether this notification type has a text message at all. */
export function hasSmsTemplate(type: string): boolean {
  const key = `outbox.sms.${type}`;
  return translator('zh-CN')(key) !== key && translator('en')(key) !== key;
}

// "Tomorrow" needs no year: the short form leaves room for the course and the place.
const whenFormats = new Map<Lang, Intl.DateTimeFormat>();
function shortWhen(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  let f = whenFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, {
      timeZone: TIME_ZONE,
      month: 'short',
      day: 'numeric',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    whenFormats.set(lang, f);
  }
  return f.format(d);
}

const length = (s: string) => [...s].length;
const limitOf = (text: string, lang: Lang) => (/^[\x20-\x7e]*$/.test(text) ? ASCII_LIMIT : UNICODE_LIMIT[lang]);
// Never shortened to make room: who it is for and when (`until`/`untilEn`: a waitlist offer's
// deadline, given in both languages by the caller).
const KEPT = new Set(['name', 'when', 'month', 'until', 'untilEn']);

/**
 * The message text, or null when the type has no template. Params are the notification's own;
 * a `startsAt` (ISO time) becomes `when`, and a `month` (yyyy-mm) a month, in the recipient's
 * language. A text over one segment first gives up characters of its longest free-text value (a
 * course title, a place), then, if it must, its end.
 */
export function smsText(type: string, params: Record<string, string>, recipientName: string, lang: Lang): string | null {
  if (!hasSmsTemplate(type)) return null;
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) values[k] = shorten(String(v ?? ''), PARAM_LIMIT);
  if (params.startsAt) values.when = shortWhen(params.startsAt, lang) || values.when || '';
  if (params.month) values.month = formatMonth(params.month, lang) || values.month!;
  if ('venue' in params && !params.venue) values.venue = translator(lang)('outbox.smsVenueUnknown');
  values.name = shorten(firstName(recipientName), 8);
  const render = () => translator(lang)(`outbox.sms.${type}`, values).replace(/\s+/g, ' ').trim();
  let text = render();
  for (let over = length(text) - limitOf(text, lang); over > 0; over = length(text) - limitOf(text, lang)) {
    const longest = Object.keys(values)
      .filter((k) => !KEPT.has(k) && length(values[k]!) > 4)
      .sort((a, b) => length(values[b]!) - length(values[a]!))[0];
    if (!longest) break;
    values[longest] = shorten(values[longest]!, Math.max(4, length(values[longest]!) - over));
    text = render();
  }
  return shorten(text, limitOf(text, lang));
}

/** 13800000003 → 138****0003: what staff see of a number on the outbox page. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}
