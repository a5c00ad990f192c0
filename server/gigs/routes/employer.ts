import { Router, type NextFunction, type Request, type Response } from 'express';
import { validate, echoForm, type FormState, refusedForm } from '../../http/validate.ts';
import { requireRole } from '../../http/guards.ts';
import { flash, stashForm, takeForm } from '../../http/flash.ts';
import { confirmFirst } from '../../http/confirm.ts';
import { uploadFiles, discardUploads } from '../../files/upload.ts';
import { employerProfileSchema, postingSchema } from '../schemas.ts';
import * as employers from '../service/employers.ts';
import * as postings from '../service/postings.ts';
import * as lifecycle from '../service/lifecycle.ts';
import * as applications from '../service/applications.ts';
import * as slots from '../service/slots.ts';
import { card } from '../view.ts';
import { openCasesOfEmployer } from '../../arrears/cases.ts';
import { employerBanner } from '../../arrears/view.ts';
import { editPostingForm, newPostingForm, postingPage, profileForm, renderPostingForm, renderProfile } from '../view/employer.ts';

// A signed-in employer: company profile, own postings, their applicants.

const licenseUpload = uploadFiles({
  field: 'license',
  maxFiles: 1,
  maxBytes: 5 * 1024 * 1024,
  kinds: ['image', 'pdf'],
  access: 'private',
  ownerType: 'employerLicense',
  ownerId: (req) => req.user?.id,
});
const attachmentsUpload = uploadFiles({
  field: 'attachments',
  maxFiles: postings.MAX_ATTACHMENTS,
  maxBytes: 5 * 1024 * 1024,
  kinds: ['image', 'pdf'],
  access: 'private',
  ownerType: 'posting',
});

async function showProfile(req: Request, res: Response) {
  const p = await employers.employerProfile(req.user!.id);
  await renderProfile(req, res, profileForm(req, p));
}

async function saveProfile(req: Request, res: Response) {
  const parsed = validate(req, employerProfileSchema, req.body);
  if (req.uploadError || !parsed.ok) {
    await discardUploads(req);
    const form = parsed.ok ? echoForm(req.body) : parsed.form;
    if (req.uploadError) form.errors.license = req.t(req.uploadError, { max: '5 MB', maxFiles: 1 });
    return renderProfile(req, res, form, 400);
  }
  const result = await employers.saveEmployerProfile(req.user!, parsed.data, req.uploaded?.[0]);
  if (!result.ok) {
    await discardUploads(req);
    return renderProfile(req, res, refusedForm(req, result), 400);
  }
  flash(req, 'success', 'gigs.employer.profileSaved');
  res.redirect('/employer/profile');
}

async function listOwnPostings(req: Request, res: Response) {
  const [items, profile] = await Promise.all([postings.employerPostings(req.user!.id), employers.employerProfile(req.user!.id)]);
  res.render('employer/postings', {
    title: req.t('gigs.employer.postingsTitle'),
    items: await Promise.all(items.map((p) => card(req, p))),
    verified: profile?.status === 'verified',
    hasProfile: !!profile,
    // An open wage-arrears case stops publishing: say so before they try, with whom to call.
    arrearsCases: await employerBanner(req, await openCasesOfEmployer(req.user!.id)),
  });
}

async function newPosting(req: Request, res: Response) {
  const refused = takeForm(req, '/employer/postings/new');
  if (refused) return renderPostingForm(req, res, refused);
  const profile = await employers.employerProfile(req.user!.id);
  await renderPostingForm(req, res, newPostingForm(req, profile));
}

/** Creates (no id) or updates a posting from the multipart form. */
async function savePosting(req: Request, res: Response, id?: string) {
  const parsed = validate(req, postingSchema, req.body);
  // The action address carries the CSRF token (multipart), so a refused form is shown
  // again on its own GET page rather than rendered at this address.
  const fail = async (form: FormState) => {
    await discardUploads(req);
    const page = id ? `/employer/postings/${id}/edit` : '/employer/postings/new';
    stashForm(req, page, form);
    res.redirect(303, page);
  };
  if (req.uploadError) {
    const form = parsed.ok ? echoForm(req.body) : parsed.form;
    form.errors.attachments = req.t(req.uploadError, { max: '5 MB', maxFiles: postings.MAX_ATTACHMENTS });
    return fail(form);
  }
  if (!parsed.ok) return fail(parsed.form);
  const files = req.uploaded ?? [];
  const result = id ? await postings.updatePosting(req.user!, id, parsed.data, files) : await postings.createPosting(req.user!, parsed.data, files);
  if (!result.ok) return fail(refusedForm(req, { ...result, params: { max: postings.MAX_ATTACHMENTS, maxFiles: postings.MAX_ATTACHMENTS } }));
  const postingId = id ?? (result as unknown as { id: string }).id;
  if (files.length) {
    const { setFileOwner } = await import('../../files/store.ts');
    await setFileOwner(
      files.map((f) => f.id),
      postingId,
    );
  }
  flash(req, 'success', 'gigs.form.saved');
  res.redirect(`/employer/postings/${postingId}`);
}

async function createPosting(req: Request, res: Response) {
  await savePosting(req, res);
}

async function showOwnPosting(req: Request, res: Response) {
  const p = await postings.ownPosting(req.user!, String(req.params.id));
  const [apps, profile, arrearsCases] = await Promise.all([
    applications.applicantsOf(String(p._id)),
    employers.employerProfile(req.user!.id),
    openCasesOfEmployer(req.user!.id),
  ]);
  res.render('employer/posting', { ...(await postingPage(req, p, apps, profile)), arrearsCases: await employerBanner(req, arrearsCases) });
}

async function editPosting(req: Request, res: Response) {
  const p = await postings.ownPosting(req.user!, String(req.params.id));
  const refused = takeForm(req, `/employer/postings/${String(p._id)}/edit`);
  if (refused) return renderPostingForm(req, res, refused, String(p._id));
  await renderPostingForm(req, res, editPostingForm(p), String(p._id));
}

/** Someone else's posting is refused before any upload is stored. */
async function ownPostingFirst(req: Request, _res: Response, next: NextFunction) {
  await postings.ownPosting(req.user!, String(req.params.id)); // before anything is stored
  next();
}

async function updatePosting(req: Request, res: Response) {
  await savePosting(req, res, String(req.params.id));
}

async function submitPosting(req: Request, res: Response) {
  await lifecycle.submitPosting(req.user!, String(req.params.id));
  flash(req, 'success', 'gigs.employer.submitted');
  res.redirect(`/employer/postings/${String(req.params.id)}`);
}

async function closePosting(req: Request, res: Response) {
  await lifecycle.closePosting(req.user!, String(req.params.id));
  flash(req, 'success', 'gigs.employer.closed');
  res.redirect(`/employer/postings/${String(req.params.id)}`);
}

async function reopenPosting(req: Request, res: Response) {
  await lifecycle.reopenPosting(req.user!, String(req.params.id));
  flash(req, 'success', 'gigs.employer.reopened');
  res.redirect(`/employer/postings/${String(req.params.id)}`);
}

async function backToPosting(req: Request, res: Response) {
  const posting = await applications.postingOfApplication(String(req.params.id));
  res.redirect(posting ? `/employer/postings/${posting}` : '/employer/postings');
}

async function acceptApplicant(req: Request, res: Response) {
  await slots.accept(req.user!, String(req.params.id));
  flash(req, 'success', 'gigs.employer.accepted');
  await backToPosting(req, res);
}

async function rejectApplicant(req: Request, res: Response) {
  await applications.rejectApplication(req.user!, String(req.params.id));
  flash(req, 'success', 'gigs.employer.rejectedApp');
  await backToPosting(req, res);
}

export function employerRoutes(): Router {
  const r = Router();
  const employer = requireRole('employer');
  r.get('/employer/profile', employer, showProfile);
  r.post('/employer/profile', employer, ...licenseUpload, saveProfile);
  r.get('/employer/postings', employer, listOwnPostings);
  r.get('/employer/postings/new', employer, newPosting);
  r.post('/employer/postings', employer, ...attachmentsUpload, createPosting);
  r.get('/employer/postings/:id', employer, showOwnPosting);
  r.get('/employer/postings/:id/edit', employer, editPosting);
  r.post('/employer/postings/:id', employer, ownPostingFirst, ...attachmentsUpload, updatePosting);
  r.post('/employer/postings/:id/submit', employer, submitPosting);
  r.post(
    '/employer/postings/:id/close',
    employer,
    confirmFirst('closePosting', (req) => postings.ownPosting(req.user!, String(req.params.id))),
    closePosting,
  );
  r.post('/employer/postings/:id/reopen', employer, reopenPosting);
  r.post('/employer/applications/:id/accept', employer, acceptApplicant);
  r.post(
    '/employer/applications/:id/reject',
    employer,
    confirmFirst('rejectApplicant', (req) => applications.ownApplication(req.user!, String(req.params.id))),
    rejectApplicant,
  );
  return r;
}
