import { isObjectId } from '../lib/ids.ts';
import type { Request } from 'express';
import { Posting } from '../../models/posting.ts';
import { Employer } from '../../models/employer.ts';
import { centerName, getCenter } from '../centers/tree.ts';
import { dayLabel, mapUrl, withPhoneLinks } from './view.ts';
import { telHref } from '../lib/format.ts';

/**
 * What a hired worker needs to turn up: the first day and hours, the place with a map link,
 * and who to call (tappable). Read by _id (cheap); only for the resident's accepted jobs.
 */
export async function hiredDetails(req: Request, postingId: string) {
  if (!isObjectId(postingId)) return null;
  const p = await Posting.findById(postingId, {
    startDay: 1,
    endDay: 1,
    dailyHours: 1,
    address: 1,
    center: 1,
    contact: 1,
    employer: 1,
    employerName: 1,
  }).lean();
  if (!p) return null;
  const profile = await Employer.findOne({ user: p.employer }, { phone: 1, contactName: 1, address: 1 }).lean();
  const center = centerName(await getCenter(String(p.center)), req.lang);
  const place = [center, p.address].filter(Boolean).join(' · ');
  const phone = profile?.phone ?? '';
  return {
    start: dayLabel(p.startDay, req.lang),
    end: p.endDay && p.endDay !== p.startDay ? dayLabel(p.endDay, req.lang) : '',
    dailyHours: p.dailyHours ?? '',
    place,
    mapUrl: mapUrl(`${centerName(await getCenter(String(p.center)), 'zh-CN')} ${p.address ?? ''}`.trim()),
    employerName: p.employerName,
    contactName: profile?.contactName ?? '',
    phone,
    tel: phone ? telHref(phone) : '',
    contactParts: withPhoneLinks(p.contact ?? ''),
  };
}
