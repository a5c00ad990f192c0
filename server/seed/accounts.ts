import { User } from '../../models/user.ts';
import { hashPassword } from '../accounts/passwords.ts';

export const DEMO_PASSWORD = 'doorstep-demo';

export const DEMO_ACCOUNTS = [
  { key: 'admin', phone: '13800000000', name: '管理员', role: 'admin', center: 'linhai' },
  { key: 'miaoxiStaff', phone: '13800000001', name: '范卫晓', role: 'staff', center: 'miaoxi' },
  { key: 'employer', phone: '13800000002', name: '王老板', role: 'employer', center: 'miaoxi' },
  { key: 'resident', phone: '13800000003', name: '金士媖', role: 'resident', center: 'miaoxi' },
  { key: 'lowIncome', phone: '13800000004', name: '金美女', role: 'resident', center: 'miaoxi', lowIncome: true },
  { key: 'xunqiaoStaff', phone: '13800000005', name: '徐凌挺', role: 'staff', center: 'xunqiao' },
] as const;

export async function seedAccounts(centers: Record<string, string>): Promise<Record<string, string>> {
  const hash = await hashPassword(DEMO_PASSWORD);
  const ids: Record<string, string> = {};
  for (const a of DEMO_ACCOUNTS) {
    const existing = await User.findOne({ phone: a.phone }, { _id: 1 }).lean();
    const center = centers[a.center]!;
    const doc =
      existing ??
      (await User.create({
        phone: a.phone,
        name: a.name,
        role: a.role,
        passwordHash: hash,
        homeCenter: center,
        staffCenter: a.role === 'staff' || a.role === 'admin' ? center : null,
        lowIncome: 'lowIncome' in a ? a.lowIncome : false,
        // Demo people agreed to the notice, and the low-income one to that status (server/privacy).
        privacyConsentAt: new Date(),
        lowIncomeConsentAt: 'lowIncome' in a && a.lowIncome ? new Date() : null,
        birthYear: a.role === 'resident' ? 1962 : null,
      }));
    ids[a.key] = String(doc._id);
  }
  return ids;
}
