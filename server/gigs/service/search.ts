import { Posting } from '../../../models/posting.ts';
import { dayKey, yuanToFen } from '../../lib/format.ts';
import { listedPostings, openPostings as openPostingsCache } from '../../store/index.ts';
import type { SearchInput } from '../schemas.ts';
import { LIST_FIELDS } from './shared.ts';
import { isOpen, listedIds } from './listings.ts';

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00+08:00`);
  d.setUTCDate(d.getUTCDate() + n);
  return dayKey(d);
}

export const PER_PAGE = 10;

const OPEN_FIELDS = { ...LIST_FIELDS, description: 1, centerPath: 1 };

/**
 * Published, unexpired postings with the fields lists and search need, newest first, cached
 * briefly: the listed ones (listings.ts), each read by `_id` (and kept a while), so the cost
 * follows the postings open now and not every posting the center has ever had.
 */
export function openPostings() {
  const today = dayKey();
  return openPostingsCache.get(today, async () => {
    const found = await Promise.all((await listedIds()).map((id) => listedPostings.get(id, () => Posting.findById(id, OPEN_FIELDS).lean())));
    const open = found.filter((p): p is NonNullable<(typeof found)[number]> => isOpen(p, today));
    const at = (p: (typeof open)[number]) => p.publishedAt?.getTime() ?? 0;
    return open.sort((a, b) => at(b) - at(a) || (String(a._id) < String(b._id) ? 1 : String(a._id) > String(b._id) ? -1 : 0));
  });
}

type OpenPosting = Awaited<ReturnType<typeof openPostings>>[number];

/**
 * Pay in different units cannot be ranked against each other (¥40 a piece is not more than ¥25 an
 * hour). Across units, hourly and daily pay compare as a day's pay, an hour counting as an eighth
 * of a day (the pages say so); pay per piece or per job has no daily figure.
 */
export const HOURS_PER_DAY = 8;
export function dailyPayFen(p: { payType: string; payFen: number }): number | null {
  return p.payType === 'day' ? p.payFen : p.payType === 'hour' ? p.payFen * HOURS_PER_DAY : null;
}
// Highest pay: daily and hourly together by their daily figure, then per piece, then per job.
const PAY_GROUP: Record<string, number> = { day: 0, hour: 0, piece: 1, job: 2 };
const payKey = (p: OpenPosting) => dailyPayFen(p) ?? p.payFen;

const SORTS: Record<string, (a: OpenPosting, b: OpenPosting) => number> = {
  pay: (a, b) => (PAY_GROUP[a.payType] ?? 3) - (PAY_GROUP[b.payType] ?? 3) || payKey(b) - payKey(a),
  start: (a, b) => (a.startDay < b.startDay ? -1 : a.startDay > b.startDay ? 1 : 0),
};

/** What a posting is matched on, by the search and by saved job alerts (server/alerts/). */
export interface PostingCriteria {
  needle: string;
  centerId: string;
  category: string;
  payType: string;
  minPayFen: number;
  tag: string;
}

type Matchable = Pick<OpenPosting, 'title' | 'employerName' | 'category' | 'payType' | 'payFen'> & {
  description?: string | null;
  centerPath?: unknown[] | null;
  suitability?: string[] | null;
};

export function postingMatches(p: Matchable, c: PostingCriteria): boolean {
  return (
    (!c.needle || [p.title, p.description, p.employerName].some((s) => (s ?? '').toLowerCase().includes(c.needle))) &&
    (!c.centerId || (p.centerPath ?? []).some((id) => String(id) === c.centerId)) &&
    (!c.category || p.category === c.category) &&
    (!c.payType || p.payType === c.payType) &&
    // Minimum pay is in the chosen unit; without one it is a day's pay (hourly pay counted over 8 hours).
    (!c.minPayFen || (c.payType ? p.payFen >= c.minPayFen : (dailyPayFen(p) ?? -1) >= c.minPayFen)) &&
    (!c.tag || (p.suitability ?? []).includes(c.tag))
  );
}

/** The search form's filters as matching criteria (keywords lower-cased, pay in fen). */
export function criteriaOf(q: Pick<SearchInput, 'q' | 'center' | 'category' | 'payType' | 'minPay' | 'tag'>): PostingCriteria {
  return {
    needle: q.q ? q.q.toLowerCase() : '',
    centerId: q.center || '',
    category: q.category,
    payType: q.payType,
    minPayFen: q.minPay ? (yuanToFen(q.minPay) ?? 0) : 0,
    tag: q.tag,
  };
}

// Filtering, sorting and paging happen in memory over the cached open postings: on FerretDB a
// filtered query reads the whole collection anyway, and here no request waits on the database.
export async function searchPostings(q: SearchInput) {
  const today = dayKey();
  const criteria = criteriaOf(q);
  const latestStart = q.within !== undefined ? addDays(today, q.within) : '';
  const matches = (await openPostings()).filter((p) => postingMatches(p, criteria) && (!latestStart || p.startDay <= latestStart));
  // A stable sort keeps "newest first" among equal pay or start day.
  const sorter = SORTS[q.sort ?? ''];
  if (sorter) matches.sort(sorter);
  const total = matches.length;
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const page = Math.min(q.page ?? 1, pages);
  return { items: matches.slice((page - 1) * PER_PAGE, page * PER_PAGE), total, page, pages };
}
