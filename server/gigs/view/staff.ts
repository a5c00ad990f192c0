import type { Request, Response } from 'express';
import { formOf, type FormState } from '../../http/validate.ts';
import { assertCenterScope } from '../../http/guards.ts';
import { centerName, getCenter } from '../../centers/tree.ts';
import { employerOfUser, getEmployer } from '../service/employers.ts';
import { getPosting, visiblePosting } from '../service/postings.ts';
import type { moderationQueue } from '../service/lifecycle.ts';
import { card, categoryOptions, detailModel, type UrlOf } from '../view.ts';

/** What waits for review in the staff member's scope: employers and postings. */
export async function moderationPage(req: Request, q: Awaited<ReturnType<typeof moderationQueue>>) {
  return {
    title: req.t('gigs.moderation.title'),
    employers: await Promise.all(
      q.employers.map(async (e) => ({
        id: String(e._id),
        name: e.name,
        creditCode: e.creditCode,
        center: centerName(await getCenter(String(e.center)), req.lang),
      })),
    ),
    postings: await Promise.all(q.postings.map((p) => card(req, p))),
  };
}

export async function renderEmployerReview(req: Request, res: Response, id: string, form: FormState = formOf(), status = 200) {
  const e = await getEmployer(id);
  await assertCenterScope(req, String(e.center));
  res.status(status).render('gigs/employer-review', {
    title: e.name,
    employer: {
      id,
      name: e.name,
      contactName: e.contactName,
      phone: e.phone,
      address: e.address,
      creditCode: e.creditCode,
      center: centerName(await getCenter(String(e.center)), req.lang),
      status: e.status,
      statusLabel: req.t(`gigs.employerStatus.${e.status}`),
      reason: e.reason,
      licenseFile: e.licenseFile,
      licenseFileName: e.licenseFileName,
    },
    form,
  });
}

export async function renderPostingReview(req: Request, res: Response, urlOf: UrlOf, id: string, form: FormState = formOf(), status = 200) {
  const p = await getPosting(id);
  await assertCenterScope(req, String(p.center));
  const posting = await detailModel(req, p, urlOf);
  const profile = await employerOfUser(p.employer);
  res.status(status).render('gigs/review', {
    title: p.title,
    posting,
    employerId: profile ? String(profile._id) : '',
    employerStatus: profile ? req.t(`gigs.employerStatus.${profile.status}`) : '',
    canDecide: p.status === 'submitted',
    form,
  });
}

export async function renderOnBehalf(req: Request, res: Response, id: string, form: FormState = formOf(), status = 200) {
  const p = await visiblePosting(req.user, id);
  res.status(status).render('gigs/apply-for', { title: req.t('gigs.onBehalf.title'), posting: await card(req, p), form });
}

export async function renderCategories(req: Request, res: Response, form: FormState = formOf(), status = 200) {
  res.status(status).render('gigs/categories', { title: req.t('gigs.categories.title'), categories: await categoryOptions(req.lang), form });
}
