import type { Request, Response } from 'express';
import { centerName, getCenter } from '../centers/tree.ts';
import { canActOnCenter } from '../centers/scope.ts';
import { dayKey, formatDay, telHref } from '../lib/format.ts';
import { formOf, type FormState } from '../http/validate.ts';
import type { Lang } from '../i18n/index.ts';
import { listCategories } from './service/categories.ts';
import { employerOfUser } from './service/employers.ts';
import { mayReadAttachment, visiblePosting, type getPosting } from './service/postings.ts';
import { myApplicationFor } from './service/applications.ts';
import { qrSvg } from '../lib/qr.ts';
import { payRecord } from '../arrears/record.ts';

/** An absolute URL for a path on this site (RouteDeps.absoluteUrl). */
export type UrlOf = (path: string) => string;

export const dayLabel = (day: string | undefined, lang: Lang) => formatDay(day, lang);

export async function categoryLabel(key: string, lang: Lang): Promise<string> {
  const c = (await listCategories()).find((x) => x.key === key);
  return c ? (lang === 'en' ? c.nameEn : c.name) : key;
}

export async function categoryOptions(lang: Lang) {
  return (await listCategories()).map((c) => ({ value: c.key, label: lang === 'en' ? c.nameEn : c.name }));
}

interface CardSource {
  _id: unknown;
  title: string;
  employerName: string;
  category: string;
  payType: string;
  payFen: number;
  headcount: number;
  acceptedCount?: number | null;
  startDay: string;
  endDay: string;
  center: unknown;
  suitability?: string[] | null;
  code: string;
  status: string;
  address?: string | null;
  dailyHours?: string | null;
}

/** A plain object for templates: only the fields a card shows, labels in the page language. */
export async function card(req: Request, p: CardSource) {
  return {
    id: String(p._id),
    title: p.title,
    employerName: p.employerName,
    category: await categoryLabel(p.category, req.lang),
    payType: p.payType,
    payFen: p.payFen,
    headcount: p.headcount,
    accepted: p.acceptedCount ?? 0,
    seatsLeft: Math.max(0, p.headcount - (p.acceptedCount ?? 0)),
    start: dayLabel(p.startDay, req.lang),
    end: dayLabel(p.endDay, req.lang),
    startDay: p.startDay,
    centerName: centerName(await getCenter(String(p.center)), req.lang),
    tags: (p.suitability ?? []).map((s) => req.t(`gigs.tags.${s}`)),
    code: p.code,
    status: p.status,
    statusLabel: req.t(`gigs.status.${p.status}`),
    address: p.address ?? '',
    dailyHours: p.dailyHours ?? '',
  };
}

// ------------------------------------------------------------ turning up: phone, map, share

const PHONE_RE = /(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})/g;

/** Free text with the phone numbers in it made tappable: [{ text }, { text, tel }]. */
export function withPhoneLinks(text: string): { text: string; tel?: string }[] {
  const parts: { text: string; tel?: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(PHONE_RE)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ text: m[0], tel: telHref(m[0]) });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** A map search for the place (AMap opens in any phone browser, and its app when installed). */
export function mapUrl(place: string): string {
  return `https://uri.amap.com/search?keyword=${encodeURIComponent(place)}&callnative=1`;
}

/** Share without JavaScript: a text message with the title and the link. */
export function smsShareUrl(title: string, url: string): string {
  return `sms:?&body=${encodeURIComponent(`${title} ${url}`)}`;
}

// ------------------------------------------------------------ one posting

type PostingDoc = Awaited<ReturnType<typeof getPosting>>;

/** Everything the posting page, its poster and the staff review show. */
export async function detailModel(req: Request, p: PostingDoc, urlOf: UrlOf) {
  const profile = await employerOfUser(p.employer);
  return {
    ...(await card(req, p)),
    description: p.description,
    reqAge: p.reqAge,
    reqPhysical: p.reqPhysical,
    reqSkills: p.reqSkills,
    contact: p.contact,
    contactParts: withPhoneLinks(p.contact ?? ''),
    mapUrl: mapUrl(`${centerName(await getCenter(String(p.center)), 'zh-CN')} ${p.address ?? ''}`.trim()),
    reason: p.reason,
    // Only listed to those who may download them (closed and expired postings stay public).
    attachments: (await mayReadAttachment(req.user, String(p._id)))
      ? (p.attachments ?? []).map((a) => ({ id: a.id, name: a.name, isImage: String(a.type).startsWith('image/') }))
      : [],
    employerVerified: profile?.status === 'verified',
    // The public profile with the pay record ("paid on time N of M"), read by _id.
    employerProfileId: profile?.status === 'verified' ? String(profile._id) : '',
    employerPay: profile?.status === 'verified' ? await payRecord(String(p.employer)) : null,
    employerAddress: profile?.address ?? '',
    open: p.status === 'published' && p.endDay >= dayKey(),
    url: urlOf(`/gigs/${String(p._id)}`),
    shareUrl: smsShareUrl(p.title, urlOf(`/gigs/${String(p._id)}`)),
  };
}

/** The posting page (also shown again, with errors, when an application is refused). */
export async function renderDetail(req: Request, res: Response, urlOf: UrlOf, id: string, form: FormState = formOf(), status = 200) {
  const p = await visiblePosting(req.user, id);
  const posting = await detailModel(req, p, urlOf);
  const mine = req.user?.role === 'resident' ? await myApplicationFor(req.user.id, id) : null;
  res.status(status).render('gigs/show', {
    title: p.title,
    posting,
    qr: await qrSvg(posting.url),
    form,
    mine: mine ? { id: String(mine._id), status: mine.status, label: req.t(`gigs.appStatus.${mine.status}`) } : null,
    canApply: posting.open && (!req.user || req.user.role === 'resident') && !mine,
    isStaff: !!req.user && ['staff', 'admin'].includes(req.user.role) && (await canActOnCenter(req.user, String(p.center))),
    isOwner: req.user?.id === String(p.employer),
    scripts: ['/js/gigs.js'],
  });
}
