import type { Request } from 'express';
import { formatDate, formatMoney } from '../lib/format.ts';
import type { ExportSection } from './export.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

function shown(req: Request, key: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return req.t(v ? 'privacy.yes' : 'privacy.no');
  if (typeof v === 'number' && key.endsWith('Fen')) return formatMoney(v, req.lang);
  if (typeof v === 'string' && ISO.test(v)) return formatDate(v, req.lang, 'datetime');
  if (Array.isArray(v)) return v.map((x) => shown(req, key, x)).join(req.t('app.comma')) || '—';
  if (typeof v === 'object')
    return (
      Object.entries(v)
        .map(([k, x]) => `${k}: ${String(x)}`)
        .join(req.t('app.comma')) || '—'
    );
  return String(v);
}

function label(req: Request, key: string): string {
  const k = `privacy.fields.${key}`;
  const v = req.t(k);
  return v === k ? key : v;
}

// A page for reading on a phone: the first records of each section; the download has them all.
const SHOWN = 10;

/** The readable page of the export: one card per record, fields named in the reader's language. */
export function dataPage(req: Request, sections: ExportSection[]) {
  return sections.map((s) => ({
    title: req.t(`privacy.sections.${s.section}`),
    kept: req.t(`privacy.kept.${s.kept || 'deleted'}`),
    count: s.records.length,
    more: s.records.length > SHOWN ? SHOWN : 0,
    records: s.records.slice(0, SHOWN).map((r) => Object.entries(r).map(([k, v]) => ({ label: label(req, k), value: shown(req, k, v) }))),
  }));
}

export function deletionView(req: Request, d: { status: string; requestedAt: Date; dueAt: Date } | null) {
  if (!d || d.status === 'cancelled') return null;
  return {
    status: d.status,
    pending: d.status === 'pending',
    requestedAt: formatDate(d.requestedAt, req.lang, 'date'),
    dueAt: formatDate(d.dueAt, req.lang, 'date'),
  };
}
