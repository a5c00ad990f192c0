import { User } from '../../models/user.ts';
import { LoginFailure } from '../../models/login-failure.ts';
import { pick, type PersonalData } from '../privacy/declare.ts';

// Accounts' personal data: the account itself (erased last by the deletion job, once every other
// collection has been handled, because those steps read the name and phone from it) and the
// failed-login records kept under the phone number.

const ACCOUNT_FIELDS = [
  'name',
  'phone',
  'email',
  'role',
  'skills',
  'birthYear',
  'lowIncome',
  'privacyConsentAt',
  'lowIncomeConsentAt',
  'createdAt',
  'updatedAt',
] as const;

export const accountData: PersonalData = {
  model: 'User',
  section: 'account',
  userPaths: [],
  kept: 'account',
  async export(userId) {
    const d = await User.findById(userId).lean();
    return d ? [pick(d as Record<string, unknown>, ACCOUNT_FIELDS)] : [];
  },
  async erase(ctx) {
    // The phone must stay unique and can no longer be a real number: the account cannot log in
    // and the number is free to register again. Role, center and dates stay for the accounts.
    await User.updateOne(
      { _id: ctx.userId },
      {
        $set: {
          name: ctx.alias,
          phone: `erased:${ctx.id}`,
          passwordHash: null,
          email: '',
          skills: [],
          birthYear: null,
          lowIncome: false,
          lowIncomeConsentAt: null,
          disabled: true,
          mustChangePassword: false,
          erasedAt: new Date(),
        },
      },
    );
  },
};

export const loginFailureData: PersonalData = {
  model: 'LoginFailure',
  section: '',
  userPaths: [],
  export: async () => [],
  async erase(ctx) {
    if (ctx.phone && !ctx.phone.startsWith('erased:')) await LoginFailure.deleteMany({ phone: ctx.phone });
  },
};
