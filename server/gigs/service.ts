import crypto from 'node:crypto';
import { Types } from 'mongoose';
import QRCode from 'qrcode';
import { Employer, type EmployerStatus } from '../../models/employer.ts';
import { Posting, type PostingStatus, type PayType } from '../../models/posting.ts';
import { PostingSlot } from '../../models/posting-slot.ts';
import { Application } from '../../models/application.ts';
import { Category } from '../../models/category.ts';
import { User } from '../../models/user.ts';
import { Refusal } from '../lib/refusal.ts';
import { canActOnCenter } from '../centers/scope.ts';
import { getCenter, subtreeIds } from '../centers/tree.ts';
import { audit } from '../audit/service.ts';
import { notify } from '../notifications/service.ts';
import { emit, rooms } from '../realtime/hub.ts';
import { categories, openPostings as openPostingsCache, postingQueue } from '../store/index.ts';
import { dayKey, yuanToFen } from '../lib/format.ts';
import { isDuplicateKey } from '../accounts/service.ts';
import { deferredRepair, jobs } from '../scheduler.ts';
import { deleteFile, type StoredFile } from '../files/store.ts';
import type { PostingInput, SearchInput } from './schemas.ts';

export const MAX_ATTACHMENTS = 5;
const oid = (id: string) => new Types.ObjectId(id);
const validId = (id: unknown): id is string => typeof id === 'string' && /^[a-f\d]{24}$/i.test(id);

export type FieldResult<T = object> = ({ ok: true } & T) | { ok: false; field: string; key: string };

// ---------------------------------------------------------------- categories

export const BUILTIN_CATEGORIES = [
  { key: 'factory', name: '工厂普工', nameEn: 'Factory work' },
  { key: 'agriculture', name: '农业采摘', nameEn: 'Agriculture' },
  { key: 'construction', name: '建筑装修', nameEn: 'Construction' },
  { key: 'domestic', name: '家政服务', nameEn: 'Domestic help' },
  { key: 'catering', name: '餐饮帮工', nameEn: 'Catering' },
  { key: 'retail', name: '商超零售', nameEn: 'Retail' },
  { key: 'logistics', name: '物流装卸', nameEn: 'Logistics' },
  { key: 'handicraft', name: '手工活', nameEn: 'Handicraft' },
  { key: 'other', name: '其他', nameEn: 'Other' },
];

export function listCategories(): Promise<{ key: string; name: string; nameEn: string }[]> {
  return categories.get('all', async () => {
    let docs = await Category.find({}, { key: 1, name: 1, nameEn: 1, order: 1 }).sort({ order: 1, createdAt: 1 }).lean();
    if (!docs.length) {
      await ensureBuiltinCategories();
      docs = await Category.find({}, { key: 1, name: 1, nameEn: 1, order: 1 }).sort({ order: 1, createdAt: 1 }).lean();
    }
    return docs.map((d) => ({ key: d.key, name: d.name, nameEn: d.nameEn }));
  });
}

export async function ensureBuiltinCategories(): Promise<void> {
  for (const [i, c] of BUILTIN_CATEGORIES.entries()) {
    try {
      await Category.create({ ...c, order: i, builtin: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}

export async function addCategory(actor: Express.User, input: { key: string; name: string; nameEn: string }): Promise<FieldResult> {
  try {
    await Category.create({ ...input, order: 100 });
  } catch (err) {
    if (isDuplicateKey(err)) return { ok: false, field: 'key', key: 'gigs.errors.categoryTaken' };
    throw err;
  }
  await audit(actor, { action: 'gigs.category.create', targetType: 'category', targetId: input.key, details: { name: input.name } });
  return { ok: true };
}

// ---------------------------------------------------------------- employers

export async function employerProfile(userId: string) {
  return Employer.findOne({ user: oid(userId) }).lean();
}

export async function saveEmployerProfile(
  user: Express.User,
  input: { name: string; contactName: string; phone: string; address: string; creditCode: string; center: string },
  license: StoredFile | undefined,
): Promise<FieldResult> {
  const center = await getCenter(input.center);
  if (!center) return { ok: false, field: 'center', key: 'errors.choose' };
  const existing = await Employer.findOne({ user: oid(user.id) }).lean();
  const material =
    !existing || existing.name !== input.name || existing.creditCode !== input.creditCode || String(existing.center) !== input.center || !!license;
  const set: Record<string, unknown> = { ...input, centerPath: [...center.ancestors, center.id].map(oid) };
  if (license) Object.assign(set, { licenseFile: license.id, licenseFileName: license.name });
  // Changing who the company is (or its licence) needs a fresh check; a new phone number does not.
  if (material || existing.status === 'rejected') Object.assign(set, { status: 'pending', reason: '', decidedBy: null, decidedAt: null });
  if (existing) await Employer.updateOne({ _id: existing._id }, { $set: set });
  else {
    try {
      await Employer.create({ user: oid(user.id), ...set });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await Employer.updateOne({ user: oid(user.id) }, { $set: set });
    }
  }
  // A replaced licence is deleted, not left behind under a guessable id (issue 14, finding 2).
  if (license && existing?.licenseFile && existing.licenseFile !== license.id) await deleteFile(String(existing.licenseFile));
  if (existing && existing.name !== input.name) await Posting.updateMany({ employer: oid(user.id) }, { $set: { employerName: input.name } });
  return { ok: true };
}

export async function getEmployer(id: string) {
  if (!validId(id)) throw new Refusal('not-found', 'errors.notFound');
  const e = await Employer.findById(id).lean();
  if (!e) throw new Refusal('not-found', 'errors.notFound');
  return e;
}

async function assertScope(actor: Express.User, centerId: unknown): Promise<void> {
  if (!(await canActOnCenter(actor, centerId ? String(centerId) : null))) throw new Refusal('forbidden', 'errors.forbiddenCenter');
}

export async function decideEmployer(actor: Express.User, id: string, decision: 'verified' | 'rejected', reason = ''): Promise<void> {
  const e = await getEmployer(id);
  await assertScope(actor, e.center);
  const allowed: EmployerStatus[] = decision === 'verified' ? ['pending', 'rejected'] : ['pending', 'verified'];
  const res = await Employer.updateOne(
    { _id: e._id, status: { $in: allowed } },
    { $set: { status: decision, reason: decision === 'rejected' ? reason : '', decidedBy: oid(actor.id), decidedAt: new Date() } },
  );
  if (!res.matchedCount) throw new Refusal('conflict', 'gigs.errors.employerState');
  await audit(actor, {
    action: decision === 'verified' ? 'gigs.employer.verify' : 'gigs.employer.reject',
    targetType: 'employer',
    targetId: id,
    center: String(e.center),
    details: { name: e.name, reason: reason || undefined },
  });
  await notify(String(e.user), decision === 'verified' ? 'gigEmployerVerified' : 'gigEmployerRejected', { name: e.name, reason }, '/employer/profile');
}

// ---------------------------------------------------------------- postings

async function newCode(): Promise<string> {
  return String(crypto.randomInt(100000, 1000000));
}

export async function getPosting(id: string) {
  if (!validId(id)) throw new Refusal('not-found', 'errors.notFound');
  const p = await Posting.findById(id).lean();
  if (!p) throw new Refusal('not-found', 'errors.notFound');
  return p;
}

/** The employer's own posting; someone else's is "not found" (no hint that it exists). */
export async function ownPosting(user: Express.User, id: string) {
  const p = await getPosting(id);
  if (String(p.employer) !== user.id) throw new Refusal('not-found', 'errors.notFound');
  return p;
}

export async function findByCode(code: string) {
  if (!/^\d{6}$/.test(code)) return null;
  return Posting.findOne({ code }, { _id: 1, status: 1 }).lean();
}

function postingFields(input: PostingInput, centerPath: string[]) {
  const { removeAttachments: _r, pay, ...rest } = input;
  return { ...rest, payFen: pay, suitability: [...new Set(input.suitability)], centerPath: centerPath.map(oid) };
}

async function checkPostingInput(input: PostingInput): Promise<FieldResult<{ centerPath: string[] }>> {
  const center = await getCenter(input.center);
  if (!center) return { ok: false, field: 'center', key: 'errors.choose' };
  if (!(await listCategories()).some((c) => c.key === input.category)) return { ok: false, field: 'category', key: 'errors.choose' };
  return { ok: true, centerPath: [...center.ancestors, center.id] };
}

export async function createPosting(user: Express.User, input: PostingInput, files: StoredFile[]): Promise<FieldResult<{ id: string }>> {
  const checked = await checkPostingInput(input);
  if (!checked.ok) return checked;
  if (input.endDay < dayKey()) return { ok: false, field: 'endDay', key: 'gigs.errors.endPassed' };
  const profile = await employerProfile(user.id);
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await Posting.create({
        ...postingFields(input, checked.centerPath),
        employer: oid(user.id),
        employerName: profile?.name ?? user.name,
        attachments: files.map((f) => ({ id: f.id, name: f.name, type: f.type, size: f.size })),
        status: 'draft',
        code: await newCode(),
      });
      return { ok: true, id: String(doc._id) };
    } catch (err) {
      if (!isDuplicateKey(err) || attempt > 5) throw err;
    }
  }
}

const EDITABLE: PostingStatus[] = ['draft', 'submitted', 'rejected', 'published'];

export async function updatePosting(user: Express.User, id: string, input: PostingInput, files: StoredFile[]): Promise<FieldResult> {
  const p = await ownPosting(user, id);
  if (!EDITABLE.includes(p.status as PostingStatus)) throw new Refusal('conflict', 'gigs.errors.notEditable');
  const checked = await checkPostingInput(input);
  if (!checked.ok) return checked;
  if (input.endDay < dayKey()) return { ok: false, field: 'endDay', key: 'gigs.errors.endPassed' };
  const accepted = await PostingSlot.countDocuments({ posting: p._id });
  if (input.headcount < accepted) return { ok: false, field: 'headcount', key: 'gigs.errors.headcountBelowAccepted' };
  const removed = new Set(input.removeAttachments);
  const kept = (p.attachments ?? []).filter((a) => !removed.has(String(a.id)));
  if (kept.length + files.length > MAX_ATTACHMENTS) return { ok: false, field: 'attachments', key: 'errors.tooManyFiles' };
  // Editing a published posting sends it back to review; a rejected one becomes a draft again.
  const next: PostingStatus = p.status === 'published' ? 'submitted' : p.status === 'rejected' ? 'draft' : (p.status as PostingStatus);
  const res = await Posting.updateOne(
    { _id: p._id, status: p.status },
    {
      $set: {
        ...postingFields(input, checked.centerPath),
        attachments: [...kept, ...files.map((f) => ({ id: f.id, name: f.name, type: f.type, size: f.size }))],
        status: next,
        ...(next === 'submitted' && p.status === 'published' ? { submittedAt: new Date() } : {}),
      },
    },
  );
  if (!res.matchedCount) throw new Refusal('conflict', 'gigs.errors.stale');
  // A removed attachment is gone, not merely unlinked (issue 14, finding 2).
  for (const a of p.attachments ?? []) if (removed.has(String(a.id))) await deleteFile(String(a.id));
  if (p.status === 'published') boardChanged(p.centerPath, String(p._id), 'removed');
  return { ok: true };
}

/** Statuses in which a posting's attachments are anyone's to download: it is (or was filled while) live. */
export const ATTACHMENTS_PUBLIC_IN: PostingStatus[] = ['published', 'filled'];

/** Posting attachments: anyone while the posting is live, else its employer and staff in scope. */
export async function mayReadAttachment(user: Express.User | undefined, postingId: string | null): Promise<boolean> {
  if (!postingId || !Types.ObjectId.isValid(postingId)) return false;
  const p = await Posting.findById(postingId, { status: 1, employer: 1, center: 1 }).lean();
  if (!p) return false;
  if (ATTACHMENTS_PUBLIC_IN.includes(p.status as PostingStatus)) return true;
  if (user && String(p.employer) === user.id) return true;
  return canActOnCenter(user, String(p.center));
}

/** One status change, validated against the states it may come from. */
async function transition(p: { _id: Types.ObjectId; status: string }, from: PostingStatus[], to: PostingStatus, set: Record<string, unknown> = {}) {
  if (!from.includes(p.status as PostingStatus)) throw new Refusal('conflict', 'gigs.errors.transition', { from: p.status, to });
  const res = await Posting.updateOne({ _id: p._id, status: p.status as PostingStatus }, { $set: { status: to, ...set } });
  if (!res.matchedCount) throw new Refusal('conflict', 'gigs.errors.stale');
}

export async function submitPosting(user: Express.User, id: string): Promise<void> {
  const p = await ownPosting(user, id);
  const profile = await employerProfile(user.id);
  if (!['draft', 'rejected'].includes(p.status)) throw new Refusal('conflict', 'gigs.errors.transition', { from: p.status, to: 'submitted' });
  if (profile?.status !== 'verified') throw new Refusal('conflict', 'gigs.errors.notVerified');
  if (p.endDay < dayKey()) throw new Refusal('conflict', 'gigs.errors.endPassed');
  await transition(p, ['draft', 'rejected'], 'submitted', { submittedAt: new Date(), reason: '', employerName: profile.name });
}

export async function closePosting(user: Express.User, id: string): Promise<void> {
  const p = await ownPosting(user, id);
  await transition(p, ['draft', 'submitted', 'rejected', 'published', 'filled'], 'closed', { closedFrom: p.status });
  if (p.status === 'published') boardChanged(p.centerPath, id, 'removed');
}

/**
 * Undoes a close while the posting's dates have not passed: it goes back to the state it was
 * closed from (a filled one to published, then settled again against its slots). Its content
 * cannot change while closed, so a posting that was approved needs no second review.
 */
export async function reopenPosting(user: Express.User, id: string): Promise<void> {
  const p = await ownPosting(user, id);
  if (p.status !== 'closed') throw new Refusal('conflict', 'gigs.errors.transition', { from: p.status, to: 'published' });
  if (p.endDay < dayKey()) throw new Refusal('conflict', 'gigs.errors.endPassed');
  const from = (p as { closedFrom?: string }).closedFrom;
  const back: PostingStatus = from === 'published' || from === 'filled' ? 'published' : from === 'submitted' || from === 'rejected' ? from : 'draft';
  await transition(p, ['closed'], back, { closedFrom: '' });
  if (back === 'published') {
    await settleFill(id);
    boardChanged(p.centerPath, id, 'published');
  }
}

export async function approvePosting(actor: Express.User, id: string): Promise<void> {
  const p = await getPosting(id);
  await assertScope(actor, p.center);
  await transition(p, ['submitted'], 'published', { publishedAt: new Date(), reason: '' });
  await audit(actor, { action: 'gigs.posting.approve', targetType: 'posting', targetId: id, center: String(p.center), details: { title: p.title } });
  await notify(String(p.employer), 'gigPostingApproved', { title: p.title }, `/employer/postings/${id}`);
  // A re-approved posting whose seats were all taken in the meantime goes straight to filled.
  await settleFill(id);
  boardChanged(p.centerPath, id, 'published');
}

export async function rejectPosting(actor: Express.User, id: string, reason: string): Promise<void> {
  const p = await getPosting(id);
  await assertScope(actor, p.center);
  await transition(p, ['submitted'], 'rejected', { reason });
  await audit(actor, { action: 'gigs.posting.reject', targetType: 'posting', targetId: id, center: String(p.center), details: { title: p.title, reason } });
  await notify(String(p.employer), 'gigPostingRejected', { title: p.title, reason }, `/employer/postings/${id}`);
}

/** Published or filled postings whose last day has passed become expired. Idempotent. */
export async function expirePostings(today = dayKey()): Promise<number> {
  const due = await Posting.find({ status: { $in: ['published', 'filled', 'submitted'] }, endDay: { $lt: today } }, { _id: 1, status: 1, centerPath: 1 }).lean();
  let n = 0;
  for (const p of due) {
    const res = await Posting.updateOne({ _id: p._id, status: p.status }, { $set: { status: 'expired' } });
    if (res.modifiedCount) {
      n++;
      if (p.status === 'published') boardChanged(p.centerPath, String(p._id), 'removed');
    }
  }
  return n;
}
jobs.push({ name: 'gigs.expire', everyMs: 10 * 60_000, run: () => expirePostings() });

function boardChanged(centerPath: unknown[] | undefined, postingId: string, action: 'published' | 'removed' | 'seats'): void {
  const ids = (centerPath ?? []).map(String);
  if (ids.length) emit(ids.map((c) => rooms.board(c)), 'board:changed', { postingId, action });
}

// ---------------------------------------------------------------- search and board

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00+08:00`);
  d.setUTCDate(d.getUTCDate() + n);
  return dayKey(d);
}

export const PER_PAGE = 10;

const LIST_FIELDS = {
  title: 1, employerName: 1, category: 1, payType: 1, payFen: 1, headcount: 1, acceptedCount: 1, startDay: 1, endDay: 1,
  center: 1, suitability: 1, publishedAt: 1, code: 1, status: 1, address: 1, dailyHours: 1,
} as const;

/** Published, unexpired postings with the fields lists and search need, newest first, cached briefly. */
function openPostings() {
  const today = dayKey();
  return openPostingsCache.get(today, () =>
    Posting.find({ status: 'published', endDay: { $gte: today } }, { ...LIST_FIELDS, description: 1, centerPath: 1 })
      .sort({ publishedAt: -1, _id: -1 })
      .lean(),
  );
}

type OpenPosting = Awaited<ReturnType<typeof openPostings>>[number];

/**
 * Pay in different units cannot be ranked against each other (¥40 a piece is not more than ¥25 an
 * hour). Across units, hourly and daily pay compare as a day's pay, an hour counting as an eighth
 * of a day (the pages say so); pay per piece or per job has no daily figure.
 */
export const HOURS_PER_DAY = 8;
export function dailyPayFen(p: { payType: string; payFen: number }): number | null {
  return p.payType === 'day' ? p.payFen : p.payType === 'hour' ? p.payFen * HOURS_PER_DAY : null;
}
// Highest pay: daily and hourly together by their daily figure, then per piece, then per job.
const PAY_GROUP: Record<string, number> = { day: 0, hour: 0, piece: 1, job: 2 };
const payKey = (p: OpenPosting) => dailyPayFen(p) ?? p.payFen;

const SORTS: Record<string, (a: OpenPosting, b: OpenPosting) => number> = {
  pay: (a, b) => (PAY_GROUP[a.payType] ?? 3) - (PAY_GROUP[b.payType] ?? 3) || payKey(b) - payKey(a),
  start: (a, b) => (a.startDay < b.startDay ? -1 : a.startDay > b.startDay ? 1 : 0),
};

// Filtering, sorting and paging happen in memory over the cached open postings: on FerretDB a
// filtered query reads the whole collection anyway, and here no request waits on the database.
export async function searchPostings(q: SearchInput) {
  const today = dayKey();
  const needle = q.q ? q.q.toLowerCase() : '';
  const centerId = q.center || '';
  const minPay = q.minPay ? (yuanToFen(q.minPay) ?? 0) : 0;
  const latestStart = q.within !== undefined ? addDays(today, q.within) : '';
  const matches = (await openPostings()).filter(
    (p) =>
      (!needle || [p.title, p.description, p.employerName].some((s) => (s ?? '').toLowerCase().includes(needle))) &&
      (!centerId || (p.centerPath ?? []).some((c) => String(c) === centerId)) &&
      (!q.category || p.category === q.category) &&
      (!q.payType || p.payType === q.payType) &&
      // Minimum pay is in the chosen unit; without one it is a day's pay (hourly pay counted over 8 hours).
      (!minPay || (q.payType ? p.payFen >= minPay : (dailyPayFen(p) ?? -1) >= minPay)) &&
      (!latestStart || p.startDay <= latestStart) &&
      (!q.tag || (p.suitability ?? []).includes(q.tag)),
  );
  // A stable sort keeps "newest first" among equal pay or start day.
  const sorter = SORTS[q.sort ?? ''];
  if (sorter) matches.sort(sorter);
  const total = matches.length;
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const page = Math.min(q.page ?? 1, pages);
  return { items: matches.slice((page - 1) * PER_PAGE, page * PER_PAGE), total, page, pages };
}

export async function boardPostings(centerId: string) {
  const ids = await subtreeIds(centerId);
  if (!ids.length) throw new Refusal('not-found', 'errors.notFound');
  return (await openPostings()).filter((p) => (p.centerPath ?? []).some((c) => String(c) === centerId)).slice(0, 60);
}

export async function employerPostings(userId: string) {
  return Posting.find({ employer: oid(userId) }, LIST_FIELDS).sort({ createdAt: -1 }).limit(200).lean();
}

export async function moderationQueue(actor: Express.User) {
  const scope = actor.role === 'admin' ? {} : { centerPath: oid(actor.staffCenter ?? actor.homeCenter) };
  const [employers, postings] = await Promise.all([
    Employer.find({ status: 'pending', ...scope }, { name: 1, creditCode: 1, center: 1, createdAt: 1, updatedAt: 1 }).sort({ updatedAt: 1 }).limit(200).lean(),
    Posting.find({ status: 'submitted', ...scope }, { ...LIST_FIELDS, submittedAt: 1 }).sort({ submittedAt: 1 }).limit(200).lean(),
  ]);
  return { employers, postings };
}

const qrCache = new Map<string, string>();
/** An SVG QR code (markup from the qrcode library, safe to embed). */
export async function qrSvg(url: string): Promise<string> {
  let svg = qrCache.get(url);
  if (!svg) {
    svg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    if (qrCache.size > 2000) qrCache.clear();
    qrCache.set(url, svg);
  }
  return svg;
}

// ---------------------------------------------------------------- applications

export async function apply(
  resident: { id: string },
  postingId: string,
  input: { message: string; availability: string },
  onBehalfOf?: Express.User,
): Promise<string> {
  const p = await getPosting(postingId);
  if (p.status === 'filled') throw new Refusal('conflict', 'gigs.errors.full');
  if (p.status !== 'published' || p.endDay < dayKey()) throw new Refusal('conflict', 'gigs.errors.notOpen');
  const r = await User.findById(resident.id, { name: 1, phone: 1, role: 1, homeCenter: 1 }).lean();
  if (!r || r.role !== 'resident') throw new Refusal('not-found', 'errors.notFound');
  let id: string;
  try {
    const doc = await Application.create({
      posting: p._id,
      employer: p.employer,
      resident: r._id,
      residentName: r.name,
      residentPhone: r.phone,
      postingTitle: p.title,
      message: input.message,
      availability: input.availability,
      activeKey: `${postingId}:${resident.id}`,
      onBehalfBy: onBehalfOf ? oid(onBehalfOf.id) : null,
    });
    id = String(doc._id);
  } catch (err) {
    if (isDuplicateKey(err)) throw new Refusal('conflict', 'gigs.errors.alreadyApplied');
    throw err;
  }
  if (onBehalfOf) {
    await audit(onBehalfOf, {
      action: 'gigs.application.onBehalf',
      targetType: 'application',
      targetId: id,
      center: String(r.homeCenter),
      details: { posting: postingId, resident: resident.id, consent: true },
    });
  }
  await notify(String(p.employer), 'gigApplicationReceived', { name: r.name, title: p.title }, `/employer/postings/${postingId}`);
  return id;
}

/** The resident's own application, or 404. */
export async function residentApplication(user: Express.User, applicationId: string) {
  if (!validId(applicationId)) throw new Refusal('not-found', 'errors.notFound');
  const a = await Application.findById(applicationId).lean();
  if (!a || String(a.resident) !== user.id) throw new Refusal('not-found', 'errors.notFound');
  return a;
}

export async function withdraw(user: Express.User, applicationId: string): Promise<void> {
  const a = await residentApplication(user, applicationId);
  if (a.status !== 'pending' && a.status !== 'accepted') throw new Refusal('conflict', 'gigs.errors.appTransition', { from: a.status, to: 'withdrawn' });
  const res = await Application.updateOne(
    { _id: a._id, status: a.status },
    { $set: { status: 'withdrawn', activeKey: `${a.activeKey}:withdrawn:${applicationId}`, slotNo: null } },
  );
  if (!res.matchedCount) throw new Refusal('conflict', 'gigs.errors.stale');
  if (a.status === 'accepted') {
    // The seat goes back; a filled posting opens again if it has not ended.
    await PostingSlot.deleteOne({ application: a._id });
    await postingQueue.run(String(a.posting), async () => {
      const count = await PostingSlot.countDocuments({ posting: a.posting });
      const p = await Posting.findById(a.posting, { status: 1, endDay: 1, centerPath: 1 }).lean();
      const reopen = p?.status === 'filled' && p.endDay >= dayKey();
      await Posting.updateOne({ _id: a.posting }, { $set: { acceptedCount: count, ...(reopen ? { status: 'published' } : {}) } });
      if (p && reopen) boardChanged(p.centerPath, String(a.posting), 'published');
      else if (p?.status === 'published') boardChanged(p.centerPath, String(a.posting), 'seats');
    });
  }
}

export async function ownApplication(user: Express.User, applicationId: string) {
  if (!validId(applicationId)) throw new Refusal('not-found', 'errors.notFound');
  const a = await Application.findById(applicationId).lean();
  if (!a || String(a.employer) !== user.id) throw new Refusal('not-found', 'errors.notFound');
  return a;
}

/**
 * Accepts an applicant by claiming the lowest free numbered slot of the posting. The unique
 * index on {posting, slotNo} is what makes overfilling impossible, however many accepts race.
 */
export async function accept(user: Express.User, applicationId: string): Promise<void> {
  const a = await ownApplication(user, applicationId);
  if (a.status !== 'pending') throw new Refusal('conflict', 'gigs.errors.appTransition', { from: a.status, to: 'accepted' });
  const p = await getPosting(String(a.posting));
  if (p.status === 'filled') throw new Refusal('conflict', 'gigs.errors.full');
  if (p.status !== 'published') throw new Refusal('conflict', 'gigs.errors.notOpen');
  let slotNo = 0;
  for (let n = 1; n <= p.headcount; n++) {
    try {
      await PostingSlot.create({ posting: p._id, slotNo: n, application: a._id });
      slotNo = n;
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) {
        scheduleRepair(); // the claim may have landed without its answer reaching us
        throw err;
      }
      if (await PostingSlot.exists({ application: a._id })) throw new Refusal('conflict', 'gigs.errors.appTransition', { from: 'accepted', to: 'accepted' });
    }
  }
  if (!slotNo) {
    await settleFill(String(p._id));
    throw new Refusal('conflict', 'gigs.errors.full');
  }
  let res;
  try {
    res = await Application.updateOne({ _id: a._id, status: 'pending' }, { $set: { status: 'accepted', slotNo } });
  } catch (err) {
    scheduleRepair(); // the slot is claimed but the application not yet marked
    throw err;
  }
  if (!res.matchedCount) {
    // Withdrawn while we claimed: give the seat back.
    await PostingSlot.deleteOne({ application: a._id });
    throw new Refusal('conflict', 'gigs.errors.stale');
  }
  await notify(String(a.resident), 'gigApplicationAccepted', { title: p.title, employer: p.employerName }, '/me/applications');
  await settleFill(String(p._id));
}

/** Recounts the claimed slots; when all are taken the posting becomes filled and waiting applicants are told. */
async function settleFill(postingId: string): Promise<void> {
  await postingQueue.run(postingId, async () => {
    const p = await Posting.findById(postingId, { status: 1, headcount: 1, title: 1, employer: 1, centerPath: 1 }).lean();
    if (!p) return;
    const count = await PostingSlot.countDocuments({ posting: p._id });
    const fill = p.status === 'published' && count >= p.headcount;
    await Posting.updateOne({ _id: p._id }, { $set: { acceptedCount: count, ...(fill ? { status: 'filled' } : {}) } });
    if (!fill) {
      if (p.status === 'published') boardChanged(p.centerPath, postingId, 'seats');
      return;
    }
    boardChanged(p.centerPath, postingId, 'removed');
    await notify(String(p.employer), 'gigPostingFilled', { title: p.title }, `/employer/postings/${postingId}`);
    const waiting = await Application.find({ posting: p._id, status: 'pending' }, { resident: 1 }).lean();
    for (const w of waiting) await notify(String(w.resident), 'gigPostingFilledApplicant', { title: p.title }, '/me/applications');
  });
}

export async function rejectApplication(user: Express.User, applicationId: string): Promise<void> {
  const a = await ownApplication(user, applicationId);
  if (a.status !== 'pending') throw new Refusal('conflict', 'gigs.errors.appTransition', { from: a.status, to: 'rejected' });
  const res = await Application.updateOne({ _id: a._id, status: 'pending' }, { $set: { status: 'rejected' } });
  if (!res.matchedCount) throw new Refusal('conflict', 'gigs.errors.stale');
  await notify(String(a.resident), 'gigApplicationRejected', { title: a.postingTitle }, '/me/applications');
}

export async function applicantsOf(postingId: string) {
  return Application.find({ posting: oid(postingId) }, { residentName: 1, residentPhone: 1, message: 1, availability: 1, status: 1, slotNo: 1, createdAt: 1, onBehalfBy: 1 })
    .sort({ createdAt: 1 })
    .lean();
}

export async function myApplications(userId: string) {
  return Application.find({ resident: oid(userId) }, { posting: 1, postingTitle: 1, status: 1, createdAt: 1, message: 1 }).sort({ createdAt: -1 }).limit(200).lean();
}

/** One of the resident's own applications (404 for anyone else's). */
export async function myApplication(user: Express.User, applicationId: string) {
  if (!validId(applicationId)) throw new Refusal('not-found', 'errors.notFound');
  const a = await Application.findById(applicationId, { posting: 1, postingTitle: 1, status: 1, resident: 1 }).lean();
  if (!a || String(a.resident) !== user.id) throw new Refusal('not-found', 'errors.notFound');
  return a;
}

export async function myApplicationFor(userId: string, postingId: string) {
  return Application.findOne({ activeKey: `${postingId}:${userId}` }, { status: 1 }).lean();
}

export type { PayType };

/**
 * Repairs what a crash between two writes can leave behind: a slot claimed for an application
 * still pending marks it accepted; a slot of a withdrawn or rejected application is freed;
 * each touched posting's count and filled state follow its slots. Run at start-up.
 */
export async function repairSlots(olderThanMs = 0): Promise<{ accepted: number; freed: number }> {
  const out = { accepted: 0, freed: 0 };
  // While serving, leave recent slots alone: an accept in flight is not a broken one.
  const cutoff = new Date(Date.now() - olderThanMs);
  const slots = (await PostingSlot.find({}, { application: 1, posting: 1, slotNo: 1, at: 1 }).lean()).filter((s) => s.at <= cutoff);
  const apps = new Map((await Application.find({ _id: { $in: slots.map((s) => s.application) } }, { status: 1 }).lean()).map((a) => [String(a._id), a.status]));
  const postings = new Set<string>();
  for (const s of slots) {
    const status = apps.get(String(s.application));
    if (status === 'accepted') continue;
    if (status === 'pending') {
      await Application.updateOne({ _id: s.application, status: 'pending' }, { $set: { status: 'accepted', slotNo: s.slotNo } });
      out.accepted += 1;
    } else {
      await PostingSlot.deleteOne({ _id: s._id });
      out.freed += 1;
    }
    postings.add(String(s.posting));
  }
  for (const id of postings) await settleFill(id);
  return out;
}

// After a write failed between two related writes, repair once nothing is still in flight.
const scheduleRepair = deferredRepair('gigs.repairSlots', () => repairSlots(20_000));
