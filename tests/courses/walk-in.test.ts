import assert from 'node:assert/strict';
import { loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser, uniquePhone } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { User } from '../../models/user.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { makeCourse } from './fixtures.ts';

describe('courses: a refused walk-in creates nothing and speaks to the staff member', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
  });

  it('a new person over the age limit: no account; with the birth year corrected, enrolled', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, maxAge: 65 });
    const staff = await loggedIn('13800000001');
    const phone = uniquePhone();
    const age = new Date().getFullYear() - 1956;
    const refused = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/walk-in`, { phone, name: '金士媖', birthYear: '1956' });
    assert.equal(refused.status, 400);
    assert.ok(refused.text.includes(`金士媖（1956 年生，${age} 岁）超过这门课要求的 65 岁`), 'names the person, their birth year and age');
    assert.doesNotMatch(refused.text, /您暂时不符合条件/, 'not addressed to the resident');
    assert.match(refused.text, /value="1956"/, 'the form comes back as typed');
    assert.equal(await User.exists({ phone }), null, 'no account created on refusal');
    const fixed = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/walk-in`, {
      phone,
      name: '金士媖',
      birthYear: '1968',
      consent: 'on',
    });
    assert.equal(fixed.status, 302);
    const user = await User.findOne({ phone }).lean();
    assert.equal(user?.birthYear, 1968);
    assert.equal((await Enrolment.findOne({ course: courseId, resident: user!._id }).lean())?.status, 'confirmed');
    const page = await staff.get(fixed.headers.location!);
    assert.match(page.text, /已为 金士媖 报上名/);
  });

  it('in English, and for a person already on record it says which birth year was used', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, maxAge: 65 });
    const known = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '老李', birthYear: 1950 });
    const staff = await loggedIn('13800000001');
    const res = await submit(staff, `/staff/courses/${courseId}?lang=en`, `/staff/courses/${courseId}/walk-in`, {
      phone: known.phone,
      name: '',
      birthYear: '1968',
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /老李 is recorded as born in 1950/);
    assert.equal(await Enrolment.exists({ course: courseId, resident: known.id }), null);
    assert.equal((await User.findById(known.id).lean())?.birthYear, 1950, 'the record is not silently changed');
  });

  it('an age-limited course needs the new person’s birth year, asked in the third person', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, minAge: 18 });
    const staff = await loggedIn('13800000001');
    const phone = uniquePhone();
    const res = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/walk-in`, { phone, name: '小周', birthYear: '', consent: 'on' });
    assert.equal(res.status, 400);
    assert.match(res.text, /请填写 小周 的出生年份/);
    assert.equal(await User.exists({ phone }), null);
  });
});
