import type { Request } from 'express';
import { centerName, getCenter } from '../centers/tree.ts';
import { categoryLabel } from '../gigs/view.ts';
import type { SearchInput } from '../gigs/schemas.ts';
import { MAX_ALERTS, type SavedAlert } from './service.ts';
import { gigsHref } from './schemas.ts';

const FILTERS = ['q', 'center', 'category', 'payType', 'minPay', 'tag'] as const;

/**
 * The "tell me about new jobs like these" offer under a filtered gig list: a form for a resident,
 * a way to log in (and come back to the same list) for a visitor, nothing for other roles.
 */
export function alertOffer(req: Request, q: SearchInput) {
  const fields = FILTERS.filter((k) => q[k]).map((k) => ({ name: k, value: q[k] }));
  if (!fields.length || (req.user && req.user.role !== 'resident')) return null;
  if (!req.user) return { loginHref: `/login?returnTo=${encodeURIComponent(req.originalUrl)}` };
  return { fields };
}

/** One alert in plain words: where, what, which words, suited to whom, paying at least what. */
async function describe(req: Request, a: SavedAlert) {
  const parts: string[] = [];
  const center = a.center ? await getCenter(a.center) : undefined;
  if (center) parts.push(req.t(center.level === 'village' ? 'alerts.desc.center' : 'alerts.desc.centerAndBelow', { center: centerName(center, req.lang) }));
  else parts.push(req.t('alerts.desc.anyCenter'));
  parts.push(a.category ? await categoryLabel(a.category, req.lang) : req.t('alerts.desc.anyCategory'));
  if (a.q) parts.push(req.t('alerts.desc.keyword', { q: a.q }));
  if (a.tag) parts.push(req.t(`gigs.tags.${a.tag}`));
  if (a.payType && !a.minPayFen) parts.push(req.t(`gigs.payTypes.${a.payType}`));
  return {
    id: a._id,
    parts,
    // The jobs open now that the alert would have announced.
    href: gigsHref({ q: a.q, center: a.center, category: a.category, payType: a.payType, minPay: a.minPayFen ? String(a.minPayFen / 100) : '', tag: a.tag }),
    minPayFen: a.minPayFen || 0,
    unit: req.t(`gigs.payUnits.${a.payType || 'day'}`),
    // Without a unit the minimum is a day's pay, hourly pay counted over 8 hours (as in the search).
    dailyNote: a.minPayFen && !a.payType ? req.t('alerts.desc.dailyNote') : '',
  };
}

/** The alerts section of a resident's /me page. */
export async function alertsSection(req: Request, alerts: SavedAlert[]) {
  return { items: await Promise.all(alerts.map((a) => describe(req, a))), max: MAX_ALERTS, full: alerts.length >= MAX_ALERTS };
}
