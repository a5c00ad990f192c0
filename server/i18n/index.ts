import fs from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';

const here = path.dirname(new URL(import.meta.url).pathname);

/** Each capability keeps its strings in `<lang>/<namespace>.json`, read as keys under `<namespace>.`. */
function loadCatalog(lang: Lang): Record<string, unknown> {
  const dir = path.join(here, lang);
  const catalog: Record<string, unknown> = {};
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    catalog[path.basename(file, '.json')] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  }
  return catalog;
}

const instance = i18next.createInstance();
await instance.init({
  lng: DEFAULT_LANG,
  fallbackLng: DEFAULT_LANG,
  supportedLngs: [...LANGS],
  resources: Object.fromEntries(LANGS.map((l) => [l, { translation: loadCatalog(l) }])),
  // Handlebars escapes everything it prints; escaping here too would double-escape.
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
  showSupportNotice: false,
} as Parameters<typeof instance.init>[0]);

// Pages call t() hundreds of times, mostly for fixed strings: those are looked up once per
// language and key (the catalogs never change while the app runs). Catalog strings whose only
// markup is {{placeholders}} are filled in from that lookup too; anything else (nesting with
// $t(), a missing or non-scalar value) goes through i18next.
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

function memoized(lang: Lang): TFunction {
  const t = instance.getFixedT(lang) as unknown as (k: unknown, o?: unknown) => string;
  const plain = new Map<string, string>();
  const lookup = (key: string) => {
    let v = plain.get(key);
    if (v === undefined) {
      v = t(key);
      plain.set(key, v);
    }
    return v;
  };
  const simple = new Map<string, boolean>();
  const isSimple = (key: string) => {
    let ok = simple.get(key);
    if (ok === undefined) {
      const raw: unknown = instance.getResource(lang, 'translation', key);
      ok = typeof raw === 'string' && !raw.includes('$t(') && !raw.replace(PLACEHOLDER, '').includes('{{');
      simple.set(key, ok);
    }
    return ok;
  };
  const fill = (template: string, values: Record<string, unknown>): string | undefined => {
    let complete = true;
    const out = template.replace(PLACEHOLDER, (whole, name: string) => {
      const v = values[name];
      if (typeof v === 'string' || typeof v === 'number') return String(v);
      complete = false;
      return whole;
    });
    return complete ? out : undefined;
  };
  return ((key: string | string[], options?: unknown) => {
    if (typeof key !== 'string') return t(key, options);
    if (!options || typeof options !== 'object' || !Object.keys(options).length) return lookup(key);
    return (isSimple(key) ? fill(lookup(key), options as Record<string, unknown>) : undefined) ?? t(key, options);
  }) as unknown as TFunction;
}

const fixed = new Map<Lang, TFunction>(LANGS.map((l) => [l, memoized(l)]));

/** i18next itself, without the memo: what the memoized translator must always agree with (tested). */
export function unmemoized(lang: Lang): TFunction {
  return instance.getFixedT(lang);
}

export function translator(lang: Lang): TFunction {
  return fixed.get(lang)!;
}

export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/** `?lang=` wins, then the cookie, then Accept-Language, then zh-CN. */
export function pickLang(query: unknown, cookie: unknown, acceptLanguage: string | undefined): Lang {
  if (isLang(query)) return query;
  if (isLang(cookie)) return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return DEFAULT_LANG;
}

export type { TFunction };
