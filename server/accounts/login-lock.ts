import { isDuplicateKey } from '../store/index.ts';
import { LoginFailure } from '../../models/login-failure.ts';
import type { ScheduledJob } from '../scheduler.ts';

import { audit } from '../audit/service.ts';
import type { Config } from '../config.ts';

/**
 * Failed logins per account, across every IP and app node (issue 14, finding 1): after `limit`
 * wrong passwords in one window the number is locked until the window ends, whatever the
 * password, unless staff at the desk unlock it. Keyed on the normalised phone, known or not,
 * so a lock says nothing about whether an account exists.
 */
export interface LoginLockOptions {
  limit: number;
  windowMinutes: number;
}

/** The lock's settings from the configuration (LOGIN_ACCOUNT_LIMIT, LOGIN_LOCK_MINUTES). */
export function lockOptionsOf(config: Pick<Config, 'LOGIN_ACCOUNT_LIMIT' | 'LOGIN_LOCK_MINUTES'>): LoginLockOptions {
  return { limit: config.LOGIN_ACCOUNT_LIMIT, windowMinutes: config.LOGIN_LOCK_MINUTES };
}

const windowOf = (o: LoginLockOptions, now = Date.now()) => Math.floor(now / (o.windowMinutes * 60_000));
const slotId = (phone: string, w: number, n: number) => `${phone}:${w}:${n}`;

/** When the lock on this phone lifts, or null when it is not locked. */
export async function lockedUntil(o: LoginLockOptions, phone: string): Promise<Date | null> {
  const w = windowOf(o);
  const full = await LoginFailure.findById(slotId(phone, w, o.limit), { _id: 1 }).lean();
  return full ? new Date((w + 1) * o.windowMinutes * 60_000) : null;
}

/** Counts one failure by claiming the lowest free slot; a no-op once the window is full. */
export async function recordFailure(o: LoginLockOptions, phone: string): Promise<void> {
  const w = windowOf(o);
  for (let n = 1; n <= o.limit; n++) {
    try {
      await LoginFailure.create({ _id: slotId(phone, w, n), phone, at: new Date() });
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}

/** Staff at the desk lift the lock (after checking who is in front of them); audited. */
export async function unlock(actor: Express.User, phone: string, userId: string, center: string): Promise<void> {
  await LoginFailure.deleteMany({ phone });
  await audit(actor, { action: 'resident.loginUnlock', targetType: 'user', targetId: userId, center });
}

export const loginFailureSweepJob: ScheduledJob = {
  name: 'accounts.loginFailures.sweep',
  everyMs: 10 * 60_000,
  // Windows are at most a day long (config), so anything older is spent.
  run: () => LoginFailure.deleteMany({ at: { $lt: new Date(Date.now() - 24 * 3600_000) } }),
};
