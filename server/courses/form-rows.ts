// The course form's session rows: what was typed comes back exactly (dates included), with a
// fixed number of blank rows below it, so a refused form never grows or loses rows. More rows
// come from the "add more sessions" button, which works without JavaScript: it submits the
// form, and the page comes back with everything typed plus more blank rows.

/** At least BLANK_ROWS blank rows under the typed ones, and MIN_ROWS (+ rows asked for) in all. */
export const BLANK_ROWS = 2;
export const MIN_ROWS = 4;
export const MORE_STEP = 4;
const MAX_EXTRA = 40;

export interface SessionRow {
  n: number;
  id: string;
  date: string;
  start: string;
  end: string;
  topic: string;
}

const listOf = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : '')) : typeof v === 'string' ? [v] : []);

/** How many extra blank rows the person asked for so far (carried in a hidden field). */
export function extraRows(body: Record<string, unknown> | undefined): number {
  const n = Number(typeof body?.extraRows === 'string' ? body.extraRows : 0);
  const asked = Number.isInteger(n) && n > 0 ? n : 0;
  return Math.min(MAX_EXTRA, asked + (body?.addRows ? MORE_STEP : 0));
}

export function sessionRows(values: Record<string, unknown>, extra = 0): SessionRow[] {
  const [ids, dates, starts, ends, topics] = ['sessionId', 'sessionDate', 'sessionStart', 'sessionEnd', 'sessionTopic'].map((k) => listOf(values[k]));
  const n = Math.max(ids!.length, dates!.length, starts!.length, ends!.length, topics!.length);
  const rows: Omit<SessionRow, 'n'>[] = [];
  for (let i = 0; i < n; i += 1) {
    const row = { id: ids![i] ?? '', date: dates![i] ?? '', start: starts![i] ?? '', end: ends![i] ?? '', topic: topics![i] ?? '' };
    // Fully blank rows are dropped; the fixed blank rows are added back below.
    if (row.id || row.date.trim() || row.start.trim() || row.end.trim() || row.topic.trim()) rows.push(row);
  }
  const total = Math.max(rows.length + BLANK_ROWS, MIN_ROWS + Math.min(MAX_EXTRA, Math.max(0, extra)));
  const blanks = total - rows.length;
  for (let i = 0; i < blanks; i += 1) rows.push({ id: '', date: '', start: '', end: '', topic: '' });
  return rows.map((r, i) => ({ ...r, n: i + 1 }));
}
