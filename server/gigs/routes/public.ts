import { Router, type Request, type Response } from 'express';
import { HttpError } from '../../http/errors.ts';
import type { RouteDeps } from '../../http/deps.ts';
import { searchSchema } from '../schemas.ts';
import * as postings from '../service/postings.ts';
import * as search from '../service/search.ts';
import { qrSvg } from '../../lib/qr.ts';
import { detailModel, renderDetail } from '../view.ts';
import { searchPage } from '../view/public.ts';

// Anyone, signed in or not: the list with search, lookup by code, a posting, its poster.

async function listPostings(req: Request, res: Response) {
  const q = searchSchema.parse(req.query);
  if (/^\d{6}$/.test(q.q)) {
    const byCode = await postings.findByCode(q.q);
    if (byCode) return res.redirect(`/gigs/${String(byCode._id)}`);
  }
  const result = await search.searchPostings(q);
  res.render('gigs/index', await searchPage(req, q, result));
}

async function lookupCode(req: Request, res: Response) {
  const code = typeof req.query.code === 'string' ? req.query.code.trim() : '';
  const found = await postings.findByCode(code);
  if (!found) throw new HttpError(404, 'gigs.errors.codeNotFound');
  res.redirect(req.user && ['staff', 'admin'].includes(req.user.role) ? `/staff/postings/${String(found._id)}` : `/gigs/${String(found._id)}`);
}

export function publicRoutes({ absoluteUrl }: RouteDeps): Router {
  const r = Router();

  async function showPosting(req: Request, res: Response) {
    await renderDetail(req, res, absoluteUrl, String(req.params.id));
  }

  async function showPoster(req: Request, res: Response) {
    const p = await postings.visiblePosting(req.user, String(req.params.id));
    const posting = await detailModel(req, p, absoluteUrl);
    res.render('gigs/poster', { layout: false, title: p.title, posting, qr: await qrSvg(posting.url), lang: req.lang });
  }

  r.get('/gigs', listPostings);
  r.get('/gigs/lookup', lookupCode);
  r.get('/gigs/:id', showPosting);
  r.get('/gigs/:id/poster', showPoster);
  return r;
}
