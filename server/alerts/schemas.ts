import type { z } from 'zod';
import { searchSchema } from '../gigs/schemas.ts';
import { yuanToFen } from '../lib/format.ts';
import type { AlertCriteria } from './service.ts';

/** The gig list's filters, posted back from its hidden fields: parsed as the search parses them. */
export const alertSchema = searchSchema.pick({ q: true, center: true, category: true, payType: true, minPay: true, tag: true });
export type AlertInput = z.output<typeof alertSchema>;

export function criteriaOf(v: AlertInput): AlertCriteria {
  return { center: v.center, category: v.category, q: v.q, tag: v.tag, payType: v.payType, minPayFen: v.minPay ? (yuanToFen(v.minPay) ?? 0) : 0 };
}

/** The same filters as a /gigs address, to go back to the list the alert was saved from. */
export function gigsHref(v: AlertInput): string {
  const params = new URLSearchParams();
  for (const [k, value] of Object.entries(v)) if (value) params.set(k, value);
  const s = params.toString();
  return `/gigs${s ? `?${s}` : ''}`;
}
