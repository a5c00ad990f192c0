import { findByPhone } from '../accounts/service.ts';
import { Router, type Request, type Response } from 'express';
import { Types } from 'mongoose';
import { validate, formOf, echoForm, type FormState } from '../http/validate.ts';
import { requireRole, assertCenterScope } from '../http/guards.ts';
import { canActOnCenter, canActOnResident } from '../centers/scope.ts';
import { HttpError } from '../http/errors.ts';
import { flash, stashForm, takeForm } from '../http/flash.ts';
import { pager } from '../lib/pager.ts';
import { dayKey } from '../lib/format.ts';
import { centerName, centerOptions, getCenter } from '../centers/tree.ts';
import { uploadFiles, discardUploads, registerFileAccess } from '../files/upload.ts';
import { Employer } from '../../models/employer.ts';
import { PAY_TYPES, SUITABILITY } from '../../models/posting.ts';
import type { RouteDeps } from '../http/deps.ts';
import { employerProfileSchema, postingSchema, reasonSchema, applySchema, onBehalfSchema, categorySchema, searchSchema, type SearchInput } from './schemas.ts';
import * as gigs from './service.ts';
import { card, categoryOptions, dayLabel, withPhoneLinks, mapUrl, smsShareUrl } from './view.ts';
import { hiredDetails } from './hired.ts';
import { confirmFirst } from '../http/confirm.ts';
import { isRefusal } from '../lib/refusal.ts';

// The business licence is private: its employer and staff whose scope covers the employer's center.
registerFileAccess('employerLicense', async (user, ownerId) => {
  if (!user || !ownerId) return false;
  if (user.id === ownerId) return true;
  const e = await Employer.findOne({ user: new Types.ObjectId(ownerId) }, { center: 1 }).lean();
  return !!e && (await canActOnCenter(user, String(e.center)));
});

registerFileAccess('posting', (user, ownerId) => gigs.mayReadAttachment(user, ownerId));

const PUBLIC_STATUSES = ['published', 'filled', 'closed', 'expired'];

export function gigRoutes({ absoluteUrl }: RouteDeps): Router {
  const r = Router();
  const resident = requireRole('resident');
  const employer = requireRole('employer');
  const staff = requireRole('staff', 'admin');
  const urlOf = (_req: Request, path: string) => absoluteUrl(path);

  // ------------------------------------------------------------ public list and detail

  const searchHref = (q: SearchInput, page?: number) => {
    const params = new URLSearchParams();
    for (const k of ['q', 'center', 'category', 'payType', 'minPay', 'tag'] as const) if (q[k]) params.set(k, q[k]);
    if (q.within !== undefined) params.set('within', String(q.within));
    if (q.sort !== 'new') params.set('sort', q.sort);
    if (page && page > 1) params.set('page', String(page));
    const s = params.toString();
    return `/gigs${s ? `?${s}` : ''}`;
  };

  r.get('/gigs', async (req, res) => {
    const q = searchSchema.parse(req.query);
    if (/^\d{6}$/.test(q.q)) {
      const byCode = await gigs.findByCode(q.q);
      if (byCode) return res.redirect(`/gigs/${String(byCode._id)}`);
    }
    const result = await gigs.searchPostings(q);
    res.render('gigs/index', {
      title: req.t('gigs.list.title'),
      q: { ...q, within: q.within ?? '' },
      form: formOf({ ...q, within: q.within === undefined ? '' : String(q.within) }),
      items: await Promise.all(result.items.map((p) => card(req, p))),
      total: result.total,
      // Comparing pay across units needs the conversion said out loud (service: dailyPayFen).
      payNote: (q.sort === 'pay' || q.minPay) && !q.payType ? req.t('gigs.list.payNote') : '',
      pager: pager(result.page, result.pages, (p) => searchHref(q, p)),
      centers: [{ value: '', label: req.t('gigs.list.allCenters') }, ...(await centerOptions(req.lang))],
      categories: [{ value: '', label: req.t('gigs.list.allCategories') }, ...(await categoryOptions(req.lang))],
      payTypes: [{ value: '', label: req.t('gigs.list.allPayTypes') }, ...PAY_TYPES.map((v) => ({ value: v, label: req.t(`gigs.payTypes.${v}`) }))],
      tags: [{ value: '', label: req.t('gigs.list.allTags') }, ...SUITABILITY.map((v) => ({ value: v, label: req.t(`gigs.tags.${v}`) }))],
      sorts: ['new', 'pay', 'start'].map((v) => ({ value: v, label: req.t(`gigs.sort.${v}`) })),
      scripts: ['/js/gigs.js'],
    });
  });

  r.get('/gigs/lookup', async (req, res) => {
    const code = typeof req.query.code === 'string' ? req.query.code.trim() : '';
    const found = await gigs.findByCode(code);
    if (!found) throw new HttpError(404, 'gigs.errors.codeNotFound');
    res.redirect(req.user && ['staff', 'admin'].includes(req.user.role) ? `/staff/postings/${String(found._id)}` : `/gigs/${String(found._id)}`);
  });

  /** Who may see a posting that is not public yet: its employer and staff in scope. */
  async function visiblePosting(req: Request, id: string) {
    const p = await gigs.getPosting(id);
    if (PUBLIC_STATUSES.includes(p.status)) return p;
    if (req.user && String(p.employer) === req.user.id) return p;
    if (await canActOnCenter(req.user, String(p.center))) return p;
    throw new HttpError(404, 'errors.notFound');
  }

  async function detailModel(req: Request, p: Awaited<ReturnType<typeof gigs.getPosting>>) {
    const profile = await Employer.findOne({ user: p.employer }, { name: 1, contactName: 1, address: 1, status: 1 }).lean();
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
      attachments: (await gigs.mayReadAttachment(req.user, String(p._id)))
        ? (p.attachments ?? []).map((a) => ({ id: a.id, name: a.name, isImage: String(a.type).startsWith('image/') }))
        : [],
      employerVerified: profile?.status === 'verified',
      employerAddress: profile?.address ?? '',
      open: p.status === 'published' && p.endDay >= dayKey(),
      url: urlOf(req, `/gigs/${String(p._id)}`),
      shareUrl: smsShareUrl(p.title, urlOf(req, `/gigs/${String(p._id)}`)),
    };
  }

  const renderDetail = async (req: Request, res: Response, id: string, form: FormState = formOf(), status = 200) => {
    const p = await visiblePosting(req, id);
    const posting = await detailModel(req, p);
    const mine = req.user?.role === 'resident' ? await gigs.myApplicationFor(req.user.id, id) : null;
    res.status(status).render('gigs/show', {
      title: p.title,
      posting,
      qr: await gigs.qrSvg(posting.url),
      form,
      mine: mine ? { id: String(mine._id), status: mine.status, label: req.t(`gigs.appStatus.${mine.status}`) } : null,
      canApply: posting.open && (!req.user || req.user.role === 'resident') && !mine,
      isStaff: !!req.user && ['staff', 'admin'].includes(req.user.role) && (await canActOnCenter(req.user, String(p.center))),
      isOwner: req.user?.id === String(p.employer),
      scripts: ['/js/gigs.js'],
    });
  };

  r.get('/gigs/:id', (req, res) => renderDetail(req, res, String(req.params.id)));

  r.get('/gigs/:id/poster', async (req, res) => {
    const p = await visiblePosting(req, String(req.params.id));
    const posting = await detailModel(req, p);
    res.render('gigs/poster', { layout: false, title: p.title, posting, qr: await gigs.qrSvg(posting.url), lang: req.lang });
  });

  r.post('/gigs/:id/apply', resident, async (req, res) => {
    const id = String(req.params.id);
    const parsed = validate(req, applySchema, req.body);
    if (!parsed.ok) return renderDetail(req, res, id, parsed.form, 400);
    await gigs.apply(req.user!, id, parsed.data);
    flash(req, 'success', 'gigs.apply.done');
    res.redirect('/me/applications');
  });

  r.get('/me/applications', resident, async (req, res) => {
    const apps = await gigs.myApplications(req.user!.id);
    res.render('gigs/my-applications', {
      title: req.t('gigs.mine.title'),
      items: await Promise.all(
        apps.map(async (a) => ({
          id: String(a._id),
          posting: String(a.posting),
          title: a.postingTitle,
          status: a.status,
          label: req.t(`gigs.appStatus.${a.status}`),
          // Once hired, the employer counts on the person: no one-tap withdraw (see the confirm page).
          canWithdraw: a.status === 'pending',
          hired: a.status === 'accepted' ? await hiredDetails(req, String(a.posting)) : null,
          at: a.createdAt ? dayLabel(dayKey(a.createdAt), req.lang) : '',
        })),
      ),
    });
  });

  const renderWithdraw = async (req: Request, res: Response, id: string, form: FormState = formOf(), status = 200) => {
    const a = await gigs.myApplication(req.user!, id);
    res.status(status).render('gigs/withdraw', {
      title: req.t('gigs.mine.withdrawTitle'),
      app: { id, title: a.postingTitle, posting: String(a.posting), hired: a.status === 'accepted' ? await hiredDetails(req, String(a.posting)) : null },
      form,
    });
  };

  r.get('/me/applications/:id/withdraw', resident, (req, res) => renderWithdraw(req, res, String(req.params.id)));

  r.post('/me/applications/:id/withdraw', resident, confirmFirst('withdrawApplication', (req) => gigs.residentApplication(req.user!, String(req.params.id))), async (req, res) => {
    const id = String(req.params.id);
    const a = await gigs.myApplication(req.user!, id);
    // Withdrawing from a job already given means the employer must hear it from the person.
    if (a.status === 'accepted' && req.body?.told !== 'on') {
      return renderWithdraw(req, res, id, echoForm(req.body, { told: req.t('gigs.mine.tellFirst') }), 400);
    }
    await gigs.withdraw(req.user!, id);
    flash(req, 'success', 'gigs.mine.withdrawn');
    res.redirect('/me/applications');
  });

  // ------------------------------------------------------------ employer profile

  const renderProfile = async (req: Request, res: Response, form: FormState, status = 200) => {
    const profile = await gigs.employerProfile(req.user!.id);
    res.status(status).render('employer/profile', {
      title: req.t('gigs.employer.profileTitle'),
      form,
      profile: profile
        ? { status: profile.status, statusLabel: req.t(`gigs.employerStatus.${profile.status}`), reason: profile.reason, licenseFile: profile.licenseFile, licenseFileName: profile.licenseFileName }
        : null,
      centers: await centerOptions(req.lang),
      csrfAction: `/employer/profile`,
    });
  };

  r.get('/employer/profile', employer, async (req, res) => {
    const p = await gigs.employerProfile(req.user!.id);
    await renderProfile(
      req,
      res,
      formOf(p ? { name: p.name, contactName: p.contactName, phone: p.phone, address: p.address, creditCode: p.creditCode, center: String(p.center) } : { contactName: req.user!.name, phone: req.user!.phone, center: req.user!.homeCenter }),
    );
  });

  const licenseUpload = uploadFiles({ field: 'license', maxFiles: 1, maxBytes: 5 * 1024 * 1024, kinds: ['image', 'pdf'], access: 'private', ownerType: 'employerLicense', ownerId: (req) => req.user?.id });

  r.post('/employer/profile', employer, ...licenseUpload, async (req, res) => {
    const parsed = validate(req, employerProfileSchema, req.body);
    if (req.uploadError || !parsed.ok) {
      await discardUploads(req);
      const form = parsed.ok ? echoForm(req.body) : parsed.form;
      if (req.uploadError) form.errors.license = req.t(req.uploadError, { max: '5 MB', maxFiles: 1 });
      return renderProfile(req, res, form, 400);
    }
    const result = await gigs.saveEmployerProfile(req.user!, parsed.data, req.uploaded?.[0]);
    if (!result.ok) {
      await discardUploads(req);
      return renderProfile(req, res, echoForm(req.body, { [result.field]: req.t(result.key) }), 400);
    }
    flash(req, 'success', 'gigs.employer.profileSaved');
    res.redirect('/employer/profile');
  });

  // ------------------------------------------------------------ employer postings

  r.get('/employer/postings', employer, async (req, res) => {
    const [items, profile] = await Promise.all([gigs.employerPostings(req.user!.id), gigs.employerProfile(req.user!.id)]);
    res.render('employer/postings', {
      title: req.t('gigs.employer.postingsTitle'),
      items: await Promise.all(items.map((p) => card(req, p))),
      verified: profile?.status === 'verified',
      hasProfile: !!profile,
    });
  });

  const renderPostingForm = async (req: Request, res: Response, form: FormState, id?: string, status = 200) => {
    const v = form.values;
    if (typeof v.suitability === 'string') v.suitability = [v.suitability];
    const existing = id ? await gigs.ownPosting(req.user!, id) : null;
    res.status(status).render('employer/posting-form', {
      title: req.t(id ? 'gigs.form.editTitle' : 'gigs.form.newTitle'),
      form,
      id,
      action: id ? `/employer/postings/${id}` : '/employer/postings',
      wasPublished: existing?.status === 'published',
      attachments: (existing?.attachments ?? []).map((a) => ({ id: a.id, name: a.name, removed: Array.isArray(v.removeAttachments) && v.removeAttachments.includes(String(a.id)) })),
      categories: await categoryOptions(req.lang),
      payTypes: PAY_TYPES.map((t) => ({ value: t, label: req.t(`gigs.payTypes.${t}`) })),
      suitability: SUITABILITY.map((s) => ({ value: s, label: req.t(`gigs.tags.${s}`), checked: Array.isArray(v.suitability) && v.suitability.includes(s) })),
      centers: await centerOptions(req.lang),
      maxAttachments: gigs.MAX_ATTACHMENTS,
    });
  };

  r.get('/employer/postings/new', employer, async (req, res) => {
    const refused = takeForm(req, '/employer/postings/new');
    if (refused) return renderPostingForm(req, res, refused);
    const profile = await gigs.employerProfile(req.user!.id);
    await renderPostingForm(req, res, formOf({ center: String(profile?.center ?? req.user!.homeCenter), payType: 'day', headcount: '1', category: 'other', contact: profile ? `${profile.contactName} ${profile.phone}` : '' }));
  });

  const attachmentsUpload = uploadFiles({ field: 'attachments', maxFiles: gigs.MAX_ATTACHMENTS, maxBytes: 5 * 1024 * 1024, kinds: ['image', 'pdf'], access: 'private', ownerType: 'posting' });

  const savePosting = async (req: Request, res: Response, id?: string) => {
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
      form.errors.attachments = req.t(req.uploadError, { max: '5 MB', maxFiles: gigs.MAX_ATTACHMENTS });
      return fail(form);
    }
    if (!parsed.ok) return fail(parsed.form);
    const files = req.uploaded ?? [];
    const result = id ? await gigs.updatePosting(req.user!, id, parsed.data, files) : await gigs.createPosting(req.user!, parsed.data, files);
    if (!result.ok) return fail(echoForm(req.body, { [result.field]: req.t(result.key, { max: gigs.MAX_ATTACHMENTS, maxFiles: gigs.MAX_ATTACHMENTS }) }));
    const postingId = id ?? (result as unknown as { id: string }).id;
    if (files.length) {
      const { setFileOwner } = await import('../files/store.ts');
      await setFileOwner(files.map((f) => f.id), postingId);
    }
    flash(req, 'success', 'gigs.form.saved');
    res.redirect(`/employer/postings/${postingId}`);
  };

  r.post('/employer/postings', employer, ...attachmentsUpload, (req, res) => savePosting(req, res));

  r.get('/employer/postings/:id', employer, async (req, res) => {
    const p = await gigs.ownPosting(req.user!, String(req.params.id));
    const [apps, profile] = await Promise.all([gigs.applicantsOf(String(p._id)), gigs.employerProfile(req.user!.id)]);
    res.render('employer/posting', {
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
    });
  });

  r.get('/employer/postings/:id/edit', employer, async (req, res) => {
    const p = await gigs.ownPosting(req.user!, String(req.params.id));
    const refused = takeForm(req, `/employer/postings/${String(p._id)}/edit`);
    if (refused) return renderPostingForm(req, res, refused, String(p._id));
    await renderPostingForm(
      req,
      res,
      formOf({
        title: p.title,
        description: p.description,
        category: p.category,
        payType: p.payType,
        pay: (p.payFen / 100).toFixed(2),
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
      }),
      String(p._id),
    );
  });

  r.post('/employer/postings/:id', employer, async (req, _res, next) => {
    await gigs.ownPosting(req.user!, String(req.params.id)); // before anything is stored
    next();
  }, ...attachmentsUpload, (req, res) => savePosting(req, res, String(req.params.id)));

  r.post('/employer/postings/:id/submit', employer, async (req, res) => {
    await gigs.submitPosting(req.user!, String(req.params.id));
    flash(req, 'success', 'gigs.employer.submitted');
    res.redirect(`/employer/postings/${String(req.params.id)}`);
  });

  r.post('/employer/postings/:id/close', employer, confirmFirst('closePosting', (req) => gigs.ownPosting(req.user!, String(req.params.id))), async (req, res) => {
    await gigs.closePosting(req.user!, String(req.params.id));
    flash(req, 'success', 'gigs.employer.closed');
    res.redirect(`/employer/postings/${String(req.params.id)}`);
  });

  r.post('/employer/postings/:id/reopen', employer, async (req, res) => {
    await gigs.reopenPosting(req.user!, String(req.params.id));
    flash(req, 'success', 'gigs.employer.reopened');
    res.redirect(`/employer/postings/${String(req.params.id)}`);
  });

  const backToPosting = async (req: Request, res: Response) => {
    const { Application } = await import('../../models/application.ts');
    const a = Types.ObjectId.isValid(String(req.params.id)) ? await Application.findById(String(req.params.id), { posting: 1 }).lean() : null;
    res.redirect(a ? `/employer/postings/${String(a.posting)}` : '/employer/postings');
  };

  r.post('/employer/applications/:id/accept', employer, async (req, res) => {
    await gigs.accept(req.user!, String(req.params.id));
    flash(req, 'success', 'gigs.employer.accepted');
    await backToPosting(req, res);
  });

  r.post('/employer/applications/:id/reject', employer, confirmFirst('rejectApplicant', (req) => gigs.ownApplication(req.user!, String(req.params.id))), async (req, res) => {
    await gigs.rejectApplication(req.user!, String(req.params.id));
    flash(req, 'success', 'gigs.employer.rejectedApp');
    await backToPosting(req, res);
  });

  // ------------------------------------------------------------ staff moderation

  r.get('/staff/moderation', staff, async (req, res) => {
    const q = await gigs.moderationQueue(req.user!);
    res.render('gigs/moderation', {
      title: req.t('gigs.moderation.title'),
      employers: await Promise.all(
        q.employers.map(async (e) => ({ id: String(e._id), name: e.name, creditCode: e.creditCode, center: centerName(await getCenter(String(e.center)), req.lang) })),
      ),
      postings: await Promise.all(q.postings.map((p) => card(req, p))),
    });
  });

  const renderEmployerReview = async (req: Request, res: Response, id: string, form: FormState = formOf(), status = 200) => {
    const e = await gigs.getEmployer(id);
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
  };

  r.get('/staff/employers/:id', staff, (req, res) => renderEmployerReview(req, res, String(req.params.id)));

  r.post('/staff/employers/:id/verify', staff, async (req, res) => {
    await gigs.decideEmployer(req.user!, String(req.params.id), 'verified');
    flash(req, 'success', 'gigs.moderation.employerVerified');
    res.redirect('/staff/moderation');
  });

  r.post('/staff/employers/:id/reject', staff, async (req, res) => {
    const parsed = validate(req, reasonSchema, req.body);
    if (!parsed.ok) return renderEmployerReview(req, res, String(req.params.id), parsed.form, 400);
    await gigs.decideEmployer(req.user!, String(req.params.id), 'rejected', parsed.data.reason);
    flash(req, 'success', 'gigs.moderation.employerRejected');
    res.redirect('/staff/moderation');
  });

  const renderPostingReview = async (req: Request, res: Response, id: string, form: FormState = formOf(), status = 200) => {
    const p = await gigs.getPosting(id);
    await assertCenterScope(req, String(p.center));
    const posting = await detailModel(req, p);
    const profile = await Employer.findOne({ user: p.employer }, { status: 1, name: 1 }).lean();
    res.status(status).render('gigs/review', {
      title: p.title,
      posting,
      employerId: profile ? String(profile._id) : '',
      employerStatus: profile ? req.t(`gigs.employerStatus.${profile.status}`) : '',
      canDecide: p.status === 'submitted',
      form,
    });
  };

  r.get('/staff/postings/:id', staff, (req, res) => renderPostingReview(req, res, String(req.params.id)));

  r.post('/staff/postings/:id/approve', staff, async (req, res) => {
    await gigs.approvePosting(req.user!, String(req.params.id));
    flash(req, 'success', 'gigs.moderation.postingApproved');
    res.redirect('/staff/moderation');
  });

  r.post('/staff/postings/:id/reject', staff, async (req, res) => {
    const parsed = validate(req, reasonSchema, req.body);
    if (!parsed.ok) return renderPostingReview(req, res, String(req.params.id), parsed.form, 400);
    await gigs.rejectPosting(req.user!, String(req.params.id), parsed.data.reason);
    flash(req, 'success', 'gigs.moderation.postingRejected');
    res.redirect('/staff/moderation');
  });

  // Staff at the desk apply for a resident who came in person (with the resident's consent).
  // The posting must be one the public may see or one in the staff member's scope (finding 3);
  // the resident must be in scope (finding 4).
  const renderOnBehalf = async (req: Request, res: Response, id: string, form: FormState = formOf(), status = 200) => {
    const p = await visiblePosting(req, id);
    res.status(status).render('gigs/apply-for', { title: req.t('gigs.onBehalf.title'), posting: await card(req, p), form });
  };

  r.get('/staff/postings/:id/apply-for', staff, (req, res) => renderOnBehalf(req, res, String(req.params.id), formOf({ phone: typeof req.query.phone === 'string' ? req.query.phone : '' })));

  r.post('/staff/postings/:id/apply-for', staff, async (req, res) => {
    const id = String(req.params.id);
    await visiblePosting(req, id);
    const parsed = validate(req, onBehalfSchema, req.body);
    if (!parsed.ok) return renderOnBehalf(req, res, id, parsed.form, 400);
    const found = await findByPhone(parsed.data.phone);
    // Unknown and out-of-scope residents get the same answer (findings 4 and 9).
    if (!found || found.role !== 'resident' || !(await canActOnResident(req.user, found))) {
      return renderOnBehalf(req, res, id, echoForm(req.body, { phone: req.t('gigs.errors.residentNotFound') }), 404);
    }
    try {
      await gigs.apply({ id: String(found._id) }, id, parsed.data, req.user!);
    } catch (err) {
      if (isRefusal(err, 'conflict')) return renderOnBehalf(req, res, id, echoForm(req.body, { _form: req.t(err.key) }), 409);
      throw err;
    }
    flash(req, 'success', 'gigs.onBehalf.done', { name: found.name });
    res.redirect(`/gigs/${id}`);
  });

  // Staff extend the category list.
  const renderCategories = async (req: Request, res: Response, form: FormState = formOf(), status = 200) =>
    res.status(status).render('gigs/categories', { title: req.t('gigs.categories.title'), categories: await categoryOptions(req.lang), form });

  r.get('/staff/gigs/categories', staff, (req, res) => renderCategories(req, res));

  r.post('/staff/gigs/categories', staff, async (req, res) => {
    const parsed = validate(req, categorySchema, req.body);
    if (!parsed.ok) return renderCategories(req, res, parsed.form, 400);
    const result = await gigs.addCategory(req.user!, parsed.data);
    if (!result.ok) return renderCategories(req, res, echoForm(req.body, { [result.field]: req.t(result.key) }), 409);
    flash(req, 'success', 'gigs.categories.added');
    res.redirect('/staff/gigs/categories');
  });

  // ------------------------------------------------------------ lobby bulletin board

  r.get('/centers/:id/board', async (req, res) => {
    const center = await getCenter(String(req.params.id));
    if (!center) throw new HttpError(404, 'errors.notFound');
    const postings = await gigs.boardPostings(center.id);
    const cards = await Promise.all(
      postings.map(async (p) => ({ ...(await card(req, p)), qr: await gigs.qrSvg(urlOf(req, `/gigs/${String(p._id)}`)) })),
    );
    const fragment = req.query.fragment === '1';
    // Without JavaScript the board pages itself with a meta refresh; with it, board.js rotates.
    const perPage = 6;
    const pages = Math.max(1, Math.ceil(cards.length / perPage));
    const page = Math.min(Math.max(1, Number(req.query.page) || 1), pages);
    res.render(fragment ? 'board/cards' : 'board/index', {
      layout: false,
      lang: req.lang,
      title: `${centerName(center, req.lang)} · ${req.t('gigs.board.title')}`,
      center: { id: center.id, name: centerName(center, req.lang), phone: center.phone, address: center.address },
      cards: fragment ? cards : cards.slice((page - 1) * perPage, page * perPage),
      allCards: cards,
      total: cards.length,
      nextPage: page < pages ? page + 1 : 1,
      page,
      pages,
      listUrl: urlOf(req, `/gigs?center=${center.id}`),
      listQr: await gigs.qrSvg(urlOf(req, `/gigs?center=${center.id}`)),
    });
  });

  return r;
}
