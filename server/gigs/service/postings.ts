import { isObjectId } from '../../lib/ids.ts';
import { isDuplicateKey } from '../../store/index.ts';
import crypto from 'node:crypto';
import { Posting, type PostingStatus, type PayType } from '../../../models/posting.ts';
import { Refusal } from '../../lib/refusal.ts';
import { canActOnCenter } from '../../centers/scope.ts';
import { getCenter } from '../../centers/tree.ts';
import { dayKey } from '../../lib/format.ts';

import { deleteFile, type StoredFile } from '../../files/store.ts';
import type { PostingInput } from '../schemas.ts';
import { listCategories } from './categories.ts';
import { employerProfile } from './employers.ts';
import { listingChanged } from './listings.ts';
import { postingSlots } from './slots.ts';
import { LIST_FIELDS, oid, validId, type FieldResult } from './shared.ts';

export const MAX_ATTACHMENTS = 5;

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
  const taken = await postingSlots(String(p._id), p.headcount);
  if (input.headcount < taken.length) return { ok: false, field: 'headcount', key: 'gigs.errors.headcountBelowAccepted' };
  // Slots are counted and claimed among 1..headcount: one numbered above the new headcount would be missed, and overfill.
  if (taken.some((s) => s.slotNo > input.headcount)) return { ok: false, field: 'headcount', key: 'gigslots.headcountBelowSlot' };
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
  if (p.status === 'published') await listingChanged(p.centerPath, String(p._id), 'removed');
  return { ok: true };
}

/** Statuses in which a posting's attachments are anyone's to download: it is (or was filled while) live. */
export const ATTACHMENTS_PUBLIC_IN: PostingStatus[] = ['published', 'filled'];

/** Posting attachments: anyone while the posting is live, else its employer and staff in scope. */
export async function mayReadAttachment(user: Express.User | undefined, postingId: string | null): Promise<boolean> {
  if (!postingId || !isObjectId(postingId)) return false;
  const p = await Posting.findById(postingId, { status: 1, employer: 1, center: 1 }).lean();
  if (!p) return false;
  if (ATTACHMENTS_PUBLIC_IN.includes(p.status as PostingStatus)) return true;
  if (user && String(p.employer) === user.id) return true;
  return canActOnCenter(user, String(p.center));
}

const PUBLIC_STATUSES = ['published', 'filled', 'closed', 'expired'];

/** A posting as someone may see it: anyone once public; before that its employer and staff in scope. */
export async function visiblePosting(user: Express.User | undefined, id: string) {
  const p = await getPosting(id);
  if (PUBLIC_STATUSES.includes(p.status)) return p;
  if (user && String(p.employer) === user.id) return p;
  if (await canActOnCenter(user, String(p.center))) return p;
  throw new Refusal('not-found', 'errors.notFound');
}

export async function employerPostings(userId: string) {
  return Posting.find({ employer: oid(userId) }, LIST_FIELDS)
    .sort({ createdAt: -1 })
    .limit(200)
    .lean();
}

export type { PayType };
