import { Types } from 'mongoose';
import type { TFunction } from 'i18next';
import { PERSONAL_DATA } from './registry.ts';

export interface ExportSection {
  model: string;
  section: string;
  title: string;
  kept: string;
  records: Record<string, unknown>[];
}

/** Everything Doorstep holds about one person, collection by collection, from the registry. */
export async function collectPersonalData(userId: string): Promise<ExportSection[]> {
  const id = new Types.ObjectId(userId);
  const out: ExportSection[] = [];
  for (const d of PERSONAL_DATA) {
    if (!d.section) continue;
    const records = await d.export(id);
    out.push({ model: d.model, section: d.section, title: '', kept: d.kept ?? '', records });
  }
  // The account first: the registry's order is the order of erasure, where it comes last.
  return [...out.filter((s) => s.section === 'account'), ...out.filter((s) => s.section !== 'account')];
}

/** A field name in the reader's language where the catalog has one, else as stored. */
function label(t: TFunction, key: string): string {
  const k = `privacy.fields.${key}`;
  const v = t(k);
  return v === k ? key : v;
}

// Money is stored in fen; the download shows yuan with two decimals, as people read it.
function readable(t: TFunction, value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => readable(t, v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [label(t, k), readable(t, v, k)]));
  if (typeof value === 'number' && key.endsWith('Fen')) return (value / 100).toFixed(2);
  return value;
}

/**
 * The download: sections titled and fields named in the person's language, with a note of what
 * each section is and how long it is kept. Amounts are in yuan.
 */
export function exportDocument(t: TFunction, sections: ExportSection[], now = new Date()) {
  return {
    [t('privacy.export.about')]: t('privacy.export.aboutText'),
    [t('privacy.export.createdAt')]: now.toISOString(),
    ...Object.fromEntries(
      sections.map((s) => [
        t(`privacy.sections.${s.section}`),
        {
          [t('privacy.export.kept')]: s.kept ? t(`privacy.kept.${s.kept}`) : t('privacy.kept.deleted'),
          [t('privacy.export.records')]: s.records.map((r) => readable(t, r)),
        },
      ]),
    ),
  };
}
