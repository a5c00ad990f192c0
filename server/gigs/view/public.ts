import type { Request } from 'express';
import { formOf } from '../../http/validate.ts';
import { pager } from '../../lib/pager.ts';
import { centerName, centerOptions, type CenterNode } from '../../centers/tree.ts';
import { PAY_TYPES, SUITABILITY } from '../../../models/posting.ts';
import type { SearchInput } from '../schemas.ts';
import type { searchPostings } from '../service/search.ts';
import type { boardPostings } from '../service/board.ts';
import { qrSvg } from '../../lib/qr.ts';
import { card, categoryOptions, type UrlOf } from '../view.ts';
import { alertOffer } from '../../alerts/view.ts';

function searchHref(q: SearchInput, page?: number) {
  const params = new URLSearchParams();
  for (const k of ['q', 'center', 'category', 'payType', 'minPay', 'tag'] as const) if (q[k]) params.set(k, q[k]);
  if (q.within !== undefined) params.set('within', String(q.within));
  if (q.sort !== 'new') params.set('sort', q.sort);
  if (page && page > 1) params.set('page', String(page));
  const s = params.toString();
  return `/gigs${s ? `?${s}` : ''}`;
}

/** The public list: search form with its choices, one page of cards and the pager. */
export async function searchPage(req: Request, q: SearchInput, result: Awaited<ReturnType<typeof searchPostings>>) {
  return {
    title: req.t('gigs.list.title'),
    q: { ...q, within: q.within ?? '' },
    form: formOf({ ...q, within: q.within === undefined ? '' : String(q.within) }),
    items: await Promise.all(result.items.map((p) => card(req, p))),
    total: result.total,
    // Comparing pay across units needs the conversion said out loud (service: dailyPayFen).
    payNote: (q.sort === 'pay' || q.minPay) && !q.payType ? req.t('gigs.list.payNote') : '',
    pager: pager(result.page, result.pages, (p) => searchHref(q, p)),
    alertOffer: alertOffer(req, q),
    centers: [{ value: '', label: req.t('gigs.list.allCenters') }, ...(await centerOptions(req.lang))],
    categories: [{ value: '', label: req.t('gigs.list.allCategories') }, ...(await categoryOptions(req.lang))],
    payTypes: [{ value: '', label: req.t('gigs.list.allPayTypes') }, ...PAY_TYPES.map((v) => ({ value: v, label: req.t(`gigs.payTypes.${v}`) }))],
    tags: [{ value: '', label: req.t('gigs.list.allTags') }, ...SUITABILITY.map((v) => ({ value: v, label: req.t(`gigs.tags.${v}`) }))],
    sorts: ['new', 'pay', 'start'].map((v) => ({ value: v, label: req.t(`gigs.sort.${v}`) })),
    scripts: ['/js/gigs.js'],
  };
}

/** The lobby board of a center: every open posting as a card with its QR code, six to a page. */
export async function boardPage(req: Request, center: CenterNode, postings: Awaited<ReturnType<typeof boardPostings>>, urlOf: UrlOf) {
  const fragment = req.query.fragment === '1';
  // Without JavaScript the board pages itself with a meta refresh; with it, board.js rotates
  // through all the cards (the fragment). A page builds only the cards it shows.
  const perPage = 6;
  const pages = Math.max(1, Math.ceil(postings.length / perPage));
  const page = Math.min(Math.max(1, Number(req.query.page) || 1), pages);
  const shown = fragment ? postings : postings.slice((page - 1) * perPage, page * perPage);
  const cards = await Promise.all(shown.map(async (p) => ({ ...(await card(req, p)), qr: await qrSvg(urlOf(`/gigs/${String(p._id)}`)) })));
  return {
    layout: false,
    lang: req.lang,
    title: `${centerName(center, req.lang)} · ${req.t('gigs.board.title')}`,
    center: { id: center.id, name: centerName(center, req.lang), phone: center.phone, address: center.address },
    cards,
    total: postings.length,
    nextPage: page < pages ? page + 1 : 1,
    page,
    pages,
    listUrl: urlOf(`/gigs?center=${center.id}`),
    listQr: await qrSvg(urlOf(`/gigs?center=${center.id}`)),
  };
}
