import { isDuplicateKey } from '../../store/index.ts';
// The walk-in desk: staff enrol a resident by phone number.
import { User } from '../../../models/user.ts';
import { canActOnResident } from '../../centers/scope.ts';
import { audit } from '../../audit/service.ts';

import type { LeanCourse } from './catalog.ts';
import { ageOf, eligibilityProblem, enrol, type EnrolResult } from './enrolment.ts';

export type WalkInResult =
  | { ok: true; result: EnrolResult; created: boolean; name: string }
  | { ok: false; field: string; key: string; params?: Record<string, string> };

/**
 * A refusal said to the staff member about the person at the desk (third person, with the
 * birth year it was judged on), not the resident-facing wording of eligibilityProblem.
 */
function deskRefusal(problem: { key: string; params?: Record<string, string> }, who: { name: string; birthYear: number | null; onRecord: boolean }, now: Date) {
  const reason = problem.key.split('.').pop()!;
  const params: Record<string, string> = {
    ...problem.params,
    name: who.name,
    birthYear: String(who.birthYear ?? ''),
    age: String(ageOf(who.birthYear, now) ?? ''),
  };
  if (reason === 'needBirthYear') return { ok: false as const, field: 'birthYear', key: 'courses.walkInRefused.needBirthYear', params };
  const key = (reason === 'tooYoung' || reason === 'tooOld') && who.onRecord ? `${reason}OnRecord` : reason;
  return { ok: false as const, field: reason === 'tooYoung' || reason === 'tooOld' ? 'birthYear' : 'phone', key: `courses.walkInRefused.${key}`, params };
}

/**
 * Staff at the desk enrol a resident by phone, creating a minimal account when needed.
 * Eligibility is checked before anything is written: a refused walk-in leaves no account
 * behind (a typo in a new person's birth year is fixed by simply submitting again).
 */
export async function walkIn(
  actor: Express.User,
  course: LeanCourse,
  input: { phone: string; name: string; birthYear: number | null; consent?: boolean },
  now = new Date(),
): Promise<WalkInResult> {
  let user = await User.findOne({ phone: input.phone }, { role: 1, name: 1, birthYear: 1, homeCenter: 1 }).lean();
  let created = false;
  if (user && user.role !== 'resident') return { ok: false, field: 'phone', key: 'courses.errors.notAResident' };
  // A resident of a center outside the desk's scope is not shown or enrolled (issue 14, finding 4).
  if (user && !(await canActOnResident(actor, user))) return { ok: false, field: 'phone', key: 'courses.errors.otherCenter' };
  if (!user && !input.name) return { ok: false, field: 'name', key: 'courses.errors.nameForNew' };
  const onRecord = !!user?.birthYear;
  const birthYear = user?.birthYear ?? input.birthYear;
  const name = user?.name ?? input.name;
  const problem = eligibilityProblem(course, { role: 'resident', birthYear }, now);
  if (problem) return deskRefusal(problem, { name, birthYear, onRecord }, now);
  if (!user && !input.consent) return { ok: false, field: 'consent', key: 'privacy.walkIn.consentRequired' };
  if (!user) {
    try {
      const doc = await User.create({
        phone: input.phone,
        name: input.name,
        role: 'resident',
        homeCenter: course.center,
        birthYear: input.birthYear,
        passwordHash: null,
        privacyConsentAt: now,
      });
      user = doc.toObject();
      created = true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      user = await User.findOne({ phone: input.phone }, { role: 1, name: 1, birthYear: 1, homeCenter: 1 }).lean();
      if (user?.role !== 'resident') return { ok: false, field: 'phone', key: 'courses.errors.notAResident' };
      if (!(await canActOnResident(actor, user))) return { ok: false, field: 'phone', key: 'courses.errors.otherCenter' };
    }
  } else if (input.birthYear && !user.birthYear) {
    await User.updateOne({ _id: user._id }, { $set: { birthYear: input.birthYear } });
  }
  const result = await enrol(String(course._id), String(user._id), { source: 'desk' });
  await audit(actor, {
    action: 'course.walkIn',
    targetType: 'enrolment',
    targetId: result.enrolmentId,
    center: String(course.center),
    details: { course: course.title, resident: user.name, created, status: result.status },
  });
  return { ok: true, result, created, name: user.name };
}
