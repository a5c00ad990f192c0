import type { Request, Response } from 'express';
import { formOf, type FormState } from '../../http/validate.ts';
import { dayKey, yuanDigits } from '../../lib/format.ts';
import { centerOptions } from '../../centers/tree.ts';
import { PAY_TYPES, SUITABILITY } from '../../../models/posting.ts';
import { employerProfile } from '../service/employers.ts';
import { MAX_ATTACHMENTS, ownPosting } from '../service/postings.ts';
import type { applicantsOf } from '../service/applications.ts';
import { card, categoryOptions } from '../view.ts';

type Profile = Awaited<ReturnType<typeof employerProfile>>;
type OwnPosting = Awaited<ReturnType<typeof ownPosting>>;

export async function renderProfile(req: Request, res: Response, form: FormState, status = 200) {
  const profile = await employerProfile(req.user!.id);
  res.status(status).render('employer/profile', {
    title: req.t('gigs.employer.profileTitle'),
    form,
    profile: profile
      ? {
          status: profile.status,
          statusLabel: req.t(`gigs.employerStatus.${profile.status}`),
          reason: profile.reason,
          licenseFile: profile.licenseFile,
          licenseFileName: profile.licenseFileName,
        }
      : null,
    centers: await centerOptions(req.lang),
    csrfAction: `/employer/profile`,
  });
}

/** The profile form: as saved, or for a first visit what the account already tells. */
export function profileForm(req: Request, p: Profile): FormState {
  return formOf(
    p
      ? { name: p.name, contactName: p.contactName, phone: p.phone, address: p.address, creditCode: p.creditCode, center: String(p.center) }
      : { contactName: req.user!.name, phone: req.user!.phone, center: req.user!.homeCenter },
  );
}

export async function renderPostingForm(req: Request, res: Response, form: FormState, id?: string, status = 200) {
  const v = form.values;
  if (typeof v.suitability === 'string') v.suitability = [v.suitability];
  const existing = id ? await ownPosting(req.user!, id) : null;
  res.status(status).render('employer/posting-form', {
    title: req.t(id ? 'gigs.form.editTitle' : 'gigs.form.newTitle'),
    form,
    id,
    action: id ? `/employer/postings/${id}` : '/employer/postings',
    wasPublished: existing?.status === 'published',
    attachments: (existing?.attachments ?? []).map((a) => ({
      id: a.id,
      name: a.name,
      removed: Array.isArray(v.removeAttachments) && v.removeAttachments.includes(String(a.id)),
    })),
    categories: await categoryOptions(req.lang),
    payTypes: PAY_TYPES.map((t) => ({ value: t, label: req.t(`gigs.payTypes.${t}`) })),
    suitability: SUITABILITY.map((s) => ({ value: s, label: req.t(`gigs.tags.${s}`), checked: Array.isArray(v.suitability) && v.suitability.includes(s) })),
    centers: await centerOptions(req.lang),
    maxAttachments: MAX_ATTACHMENTS,
  });
}

/** A new posting starts from the employer's profile: their center, contact, a day's pay for one. */
export function newPostingForm(req: Request, profile: Profile): FormState {
  return formOf({
    center: String(profile?.center ?? req.user!.homeCenter),
    payType: 'day',
    headcount: '1',
    category: 'other',
    contact: profile ? `${profile.contactName} ${profile.phone}` : '',
  });
}

/** The edit form filled from the saved posting (pay back in yuan). */
export function editPostingForm(p: OwnPosting): FormState {
  return formOf({
    title: p.title,
    description: p.description,
    category: p.category,
    payType: p.payType,
    pay: yuanDigits(p.payFen),
    headcount: String(p.headcount),
    startDay: p.startDay,
    endDay: p.endDay,
    dailyHours: p.dailyHours,
    center: String(p.center),
    address: p.address,
    reqAge: p.reqAge,
    reqPhysical: p.reqPhysical,
    reqSkills: p.reqSkills,
    suitability: p.suitability ?? [],
    contact: p.contact,
  });
}

/** The employer's own posting page: the posting, its applicants and what may be done next. */
export async function postingPage(req: Request, p: OwnPosting, apps: Awaited<ReturnType<typeof applicantsOf>>, profile: Profile) {
  return {
    title: p.title,
    posting: { ...(await card(req, p)), reason: p.reason },
    applicants: apps.map((a) => ({
      id: String(a._id),
      name: a.residentName,
      phone: a.residentPhone,
      message: a.message,
      availability: a.availability,
      status: a.status,
      label: req.t(`gigs.appStatus.${a.status}`),
      pending: a.status === 'pending',
      onBehalf: !!a.onBehalfBy,
      slotNo: a.slotNo,
    })),
    canEdit: ['draft', 'submitted', 'rejected', 'published'].includes(p.status),
    canSubmit: ['draft', 'rejected'].includes(p.status),
    canClose: ['draft', 'submitted', 'rejected', 'published', 'filled'].includes(p.status),
    canReopen: p.status === 'closed' && p.endDay >= dayKey(),
    canDecide: p.status === 'published',
    verified: profile?.status === 'verified',
  };
}
