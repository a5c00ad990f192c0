import { isObjectId } from '../lib/ids.ts';
import type { Types } from 'mongoose';
import { User, type Role } from '../../models/user.ts';
import { isDuplicateKey, sessionUsers } from '../store/index.ts';
import { getCenter } from '../centers/tree.ts';
import { Refusal } from '../lib/refusal.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { audit } from '../audit/service.ts';

const SESSION_FIELDS = { name: 1, phone: 1, role: 1, homeCenter: 1, staffCenter: 1, disabled: 1, mustChangePassword: 1 } as const;

function toSessionUser(d: {
  _id: Types.ObjectId;
  name: string;
  phone: string;
  role: string;
  homeCenter: Types.ObjectId;
  staffCenter?: Types.ObjectId | null;
  mustChangePassword?: boolean | null;
}): Express.User {
  return {
    ...(d.mustChangePassword ? { mustChangePassword: true } : {}),
    id: String(d._id),
    name: d.name,
    phone: d.phone,
    role: d.role as Role,
    homeCenter: String(d.homeCenter),
    staffCenter: d.staffCenter ? String(d.staffCenter) : null,
  };
}

/**
 * Who a session belongs to, on every logged-in request: read by _id (the one query FerretDB
 * serves without a scan) and kept for a few seconds; writes to users on this node drop it.
 */
export async function sessionUser(id: string): Promise<Express.User | null> {
  if (!isObjectId(id)) return null;
  return sessionUsers.get(id, async () => {
    const d = await User.findById(id, SESSION_FIELDS).lean();
    return !d || d.disabled ? null : toSessionUser(d);
  });
}

export async function authenticate(phone: string, password: string): Promise<Express.User | null> {
  const d = await User.findOne({ phone }, { ...SESSION_FIELDS, passwordHash: 1 }).lean();
  const ok = await verifyPassword(d?.passwordHash, password);
  if (!d || !ok || d.disabled) return null;
  return toSessionUser(d);
}

export type RegisterResult = { ok: true; user: Express.User } | { ok: false; field: string; key: string };

export async function register(
  input: {
    role: 'resident' | 'employer';
    name: string;
    phone: string;
    email: string;
    password: string;
    homeCenter: string;
  },
  now = new Date(),
): Promise<RegisterResult> {
  if (!(await getCenter(input.homeCenter))) return { ok: false, field: 'homeCenter', key: 'errors.choose' };
  try {
    const doc = await User.create({
      role: input.role,
      name: input.name,
      phone: input.phone,
      email: input.email,
      homeCenter: input.homeCenter,
      passwordHash: await hashPassword(input.password),
      // The form refuses to go on without the ticked privacy notice (registerSchema).
      privacyConsentAt: now,
    });
    return { ok: true, user: toSessionUser(doc) };
  } catch (err) {
    // The unique index is the guard; a pre-check would race with a concurrent sign-up.
    if (isDuplicateKey(err)) return { ok: false, field: 'phone', key: 'errors.phoneTaken' };
    throw err;
  }
}

export async function profile(id: string) {
  const d = await User.findById(id, { passwordHash: 0 }).lean();
  if (!d) throw new Refusal('not-found', 'errors.notFound');
  return d;
}

export async function updateProfile(
  id: string,
  input: { name: string; email: string; homeCenter: string; skills: string[]; birthYear: number | null },
): Promise<{ ok: true } | { ok: false; field: string; key: string }> {
  if (!(await getCenter(input.homeCenter))) return { ok: false, field: 'homeCenter', key: 'errors.choose' };
  await User.updateOne({ _id: id }, { $set: input });
  return { ok: true };
}

export async function findByPhone(phone: string) {
  return User.findOne({ phone }, { passwordHash: 0 }).lean();
}

/**
 * Staff-only fields on a resident; the caller has checked the resident's center is in scope.
 * Low-income status is sensitive personal information (PIPL art. 28–29): it is recorded only with
 * the resident's separate consent, and recording that the consent is withdrawn clears it.
 */
export async function setStaffFields(
  actor: Express.User,
  residentId: string,
  fields: { lowIncome: boolean; lowIncomeConsent: boolean },
  now = new Date(),
): Promise<void> {
  if (fields.lowIncome && !fields.lowIncomeConsent) throw new Refusal('invalid', 'privacy.lowIncome.consentRequired', {}, 'lowIncomeConsent');
  const current = await User.findOne({ _id: residentId, role: 'resident' }, { lowIncomeConsentAt: 1 }).lean();
  if (!current) throw new Refusal('not-found', 'errors.notFound');
  const lowIncomeConsentAt = fields.lowIncomeConsent ? (current.lowIncomeConsentAt ?? now) : null;
  await User.updateOne({ _id: residentId }, { $set: { lowIncome: fields.lowIncome, lowIncomeConsentAt } });
  await audit(actor, { action: 'resident.staffFields', targetType: 'user', targetId: residentId, details: fields });
}

export type CreateStaffResult = { ok: true; id: string } | { ok: false; field: string; key: string };

export async function createStaff(
  actor: Express.User,
  input: { name: string; phone: string; password: string; staffCenter: string; role: 'staff' | 'admin' },
): Promise<CreateStaffResult> {
  if (!(await getCenter(input.staffCenter))) return { ok: false, field: 'staffCenter', key: 'errors.choose' };
  try {
    const doc = await User.create({
      ...input,
      homeCenter: input.staffCenter,
      passwordHash: await hashPassword(input.password),
    });
    await audit(actor, {
      action: 'staff.create',
      targetType: 'user',
      targetId: String(doc._id),
      center: input.staffCenter,
      details: { role: input.role, name: input.name },
    });
    return { ok: true, id: String(doc._id) };
  } catch (err) {
    if (isDuplicateKey(err)) return { ok: false, field: 'phone', key: 'errors.phoneTaken' };
    throw err;
  }
}

export async function listStaff() {
  return User.find({ role: { $in: ['staff', 'admin'] } }, { name: 1, phone: 1, role: 1, staffCenter: 1, disabled: 1 })
    .sort({ name: 1 })
    .lean();
}

export async function setStaffCenter(actor: Express.User, userId: string, staffCenter: string): Promise<void> {
  if (!(await getCenter(staffCenter))) throw new Refusal('invalid', 'errors.choose');
  const res = await User.updateOne({ _id: userId, role: 'staff' }, { $set: { staffCenter, homeCenter: staffCenter } });
  if (!res.matchedCount) throw new Refusal('not-found', 'errors.notFound');
  await audit(actor, { action: 'staff.assignCenter', targetType: 'user', targetId: userId, center: staffCenter });
}
