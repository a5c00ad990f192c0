import { User } from '../../models/user.ts';
import { Refusal } from '../lib/refusal.ts';
import { audit } from '../audit/service.ts';

/**
 * The resident gives or withdraws, on their own page, the separate consent for their low-income
 * status to be recorded. Withdrawing clears the status at once (PIPL art. 15: withdrawal is as
 * easy as consent); giving it records nothing by itself — staff still record the status.
 */
export async function setLowIncomeConsent(userId: string, agree: boolean, now = new Date()): Promise<void> {
  const me = await User.findById(userId, { role: 1, lowIncomeConsentAt: 1 }).lean();
  const refused = new Refusal('forbidden', 'errors.forbiddenRole');
  if (!me) throw refused;
  if (me.role !== 'resident') throw refused;
  if (agree) await User.updateOne({ _id: me._id }, { $set: { lowIncomeConsentAt: me.lowIncomeConsentAt ?? now } });
  else await User.updateOne({ _id: me._id }, { $set: { lowIncomeConsentAt: null, lowIncome: false } });
}

/** A staff member opened a page showing a resident's phone, birth year and low-income status. */
export async function auditSensitiveView(actor: Express.User, resident: { _id: unknown; homeCenter: unknown }): Promise<void> {
  await audit(actor, { action: 'privacy.sensitiveView', targetType: 'user', targetId: String(resident._id), center: String(resident.homeCenter) });
}
