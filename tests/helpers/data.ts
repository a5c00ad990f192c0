import mongoose from 'mongoose';
import { ensureIndexes } from '../../server/db/connection.ts';
import { seedDemo, type SeedContext } from '../../server/seed/index.ts';
import { forgetAllCaches } from '../../server/store/index.ts';
import { User, type Role } from '../../models/user.ts';
import { hashPassword } from '../../server/accounts/passwords.ts';

/** Empties the database and loads the demo data; call in a test file's `before`. */
export async function freshDemo(): Promise<SeedContext> {
  await mongoose.connection.dropDatabase();
  forgetAllCaches();
  await ensureIndexes();
  return seedDemo('test');
}

let seq = 0;
/** A phone number no other test uses in this run. */
export function uniquePhone(): string {
  seq += 1;
  return `139${String(process.pid % 10000).padStart(4, '0')}${String(seq).padStart(4, '0')}`;
}

let cachedHash: string | undefined;
export async function makeUser(opts: { role: Role; center: string; name?: string; lowIncome?: boolean; phone?: string; birthYear?: number }) {
  cachedHash ??= await hashPassword('doorstep-demo');
  const phone = opts.phone ?? uniquePhone();
  const doc = await User.create({
    phone,
    name: opts.name ?? `测试${opts.role}${seq}`,
    role: opts.role,
    passwordHash: cachedHash,
    homeCenter: opts.center,
    staffCenter: opts.role === 'staff' || opts.role === 'admin' ? opts.center : null,
    lowIncome: opts.lowIncome ?? false,
    lowIncomeConsentAt: opts.lowIncome ? new Date() : null,
    birthYear: opts.birthYear ?? 1970,
  });
  return { id: String(doc._id), phone, name: doc.name };
}
