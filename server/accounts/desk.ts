import crypto from 'node:crypto';
import { endSessionsOf } from '../store/index.ts';
import { User } from '../../models/user.ts';
import { Refusal } from '../lib/refusal.ts';
import { audit } from '../audit/service.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { disconnectUser } from '../realtime/hub.ts';

// Account actions taken for someone else: staff at the desk (reset a forgotten password, correct
// a name or birth year) and the admin (disable an account). Callers have checked role and scope.

/**
 * Ten digits: typed on a phone's number pad by someone reading it off a slip of paper, and only
 * good for choosing a new password (login rate limits stand between it and guessing).
 */
export function temporaryPassword(): string {
  let out = '';
  while (out.length < 10) out += String(crypto.randomInt(0, 10));
  return out;
}

/**
 * Ends every stored session of a user: after a reset or a disable, a phone left logged in
 * elsewhere must not keep working.
 */
export async function endSessions(userId: string): Promise<void> {
  await endSessionsOf(userId);
  // Live pages already open on those phones stop receiving this person's events too.
  disconnectUser(userId);
}

/** A new temporary password for a resident, shown once to the staff member and never stored in clear. */
export async function resetPassword(actor: Express.User, resident: { _id: unknown; homeCenter: unknown }): Promise<string> {
  const plain = temporaryPassword();
  const res = await User.updateOne({ _id: resident._id, role: 'resident' }, { $set: { passwordHash: await hashPassword(plain), mustChangePassword: true } });
  if (!res.matchedCount) throw new Refusal('not-found', 'errors.notFound');
  await endSessions(String(resident._id));
  await audit(actor, { action: 'resident.passwordReset', targetType: 'user', targetId: String(resident._id), center: String(resident.homeCenter) });
  return plain;
}

/** Staff correct a resident's name and birth year (as on their ID card); the audit keeps both versions. */
export async function editResident(
  actor: Express.User,
  resident: { _id: unknown; homeCenter: unknown; name: string; birthYear?: number | null },
  input: { name: string; birthYear: number | null },
): Promise<void> {
  const res = await User.updateOne({ _id: resident._id, role: 'resident' }, { $set: input });
  if (!res.matchedCount) throw new Refusal('not-found', 'errors.notFound');
  const changed = input.name !== resident.name || input.birthYear !== (resident.birthYear ?? null);
  if (!changed) return;
  await audit(actor, {
    action: 'resident.edit',
    targetType: 'user',
    targetId: String(resident._id),
    center: String(resident.homeCenter),
    details: { name: input.name, fromName: resident.name, birthYear: input.birthYear ?? '—', fromBirthYear: resident.birthYear ?? '—' },
  });
}

/** The admin turns an account off (it cannot log in, its sessions end) or on again. */
export async function setDisabled(actor: Express.User, userId: string, disabled: boolean): Promise<void> {
  if (userId === actor.id) throw new Refusal('invalid', 'admin.accounts.notSelf');
  const target = await User.findById(userId, { name: 1, homeCenter: 1 }).lean();
  if (!target) throw new Refusal('not-found', 'errors.notFound');
  await User.updateOne({ _id: target._id }, { $set: { disabled } });
  if (disabled) await endSessions(userId);
  await audit(actor, {
    action: disabled ? 'account.disable' : 'account.enable',
    targetType: 'user',
    targetId: userId,
    center: String(target.homeCenter),
    details: { name: target.name },
  });
}

export type ChangeResult = { ok: true } | { ok: false; field: string; key: string };

/**
 * A user sets their own password. After a desk reset they have just typed the temporary one to
 * log in, so it is not asked again; otherwise the current password proves it is them.
 */
export async function changeOwnPassword(user: Express.User, input: { current: string; password: string }): Promise<ChangeResult> {
  const d = await User.findById(user.id, { passwordHash: 1, mustChangePassword: 1 }).lean();
  if (!d) throw new Refusal('not-found', 'errors.notFound');
  if (!d.mustChangePassword && !(await verifyPassword(d.passwordHash, input.current)))
    return { ok: false, field: 'current', key: 'accounts.password.wrongCurrent' };
  if (await verifyPassword(d.passwordHash, input.password)) return { ok: false, field: 'password', key: 'accounts.password.same' };
  await User.updateOne({ _id: d._id }, { $set: { passwordHash: await hashPassword(input.password), mustChangePassword: false } });
  return { ok: true };
}
