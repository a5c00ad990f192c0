import { isDuplicateKey } from '../../store/index.ts';
import type { Types } from 'mongoose';
import { Employer, type EmployerStatus } from '../../../models/employer.ts';
import { Posting } from '../../../models/posting.ts';
import { Refusal } from '../../lib/refusal.ts';
import { canActOnCenter } from '../../centers/scope.ts';
import { getCenter } from '../../centers/tree.ts';
import { audit } from '../../audit/service.ts';
import { notify } from '../../notifications/service.ts';

import { deleteFile, type StoredFile } from '../../files/store.ts';
import { assertScope, oid, validId, type FieldResult } from './shared.ts';

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

/** The employer profile behind a posting's employer (user id), as posting pages show it. */
export async function employerOfUser(userId: Types.ObjectId) {
  return Employer.findOne({ user: userId }, { name: 1, contactName: 1, address: 1, status: 1 }).lean();
}

/** The business licence is private: its employer and staff whose scope covers the employer's center. */
export async function mayReadLicense(user: Express.User | undefined, ownerId: string | null): Promise<boolean> {
  if (!user || !ownerId) return false;
  if (user.id === ownerId) return true;
  const e = await Employer.findOne({ user: oid(ownerId) }, { center: 1 }).lean();
  return !!e && (await canActOnCenter(user, String(e.center)));
}
