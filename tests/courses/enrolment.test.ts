import assert from 'node:assert/strict';
import { loggedIn, submit, agent } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { Seat } from '../../models/seat.ts';
import { User } from '../../models/user.ts';
import { Notification } from '../../models/notification.ts';
import { enrol, withdraw } from '../../server/courses/service/enrolment.ts';
import { positionOf, waitlist } from '../../server/courses/service/roster.ts';
import { makeCourse } from './fixtures.ts';

describe('courses: enrolment, seats and the waitlist', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
  });

  it('100 simultaneous enrolments for 20 seats: exactly 20 confirmed, 80 waitlisted at 1..80', async function () {
    this.timeout(180_000);
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 20 });
    const users = await Promise.all(Array.from({ length: 100 }, () => makeUser({ role: 'resident', center: ctx.centers.miaoxi! })));
    const results = await Promise.all(users.map((u) => enrol(courseId, u.id)));
    assert.equal(results.filter((r) => r.status === 'confirmed').length, 20);
    assert.equal(results.filter((r) => r.status === 'waitlisted').length, 80);
    assert.equal(await Seat.countDocuments({ course: courseId }), 20, 'seat documents never exceed capacity');
    const seatNos = (await Seat.find({ course: courseId }).lean()).map((s) => s.seatNo).sort((a, b) => a - b);
    assert.deepEqual(
      seatNos,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal(await Enrolment.countDocuments({ course: courseId, status: 'confirmed' }), 20);
    const waiting = await waitlist(courseId);
    assert.equal(waiting.length, 80);
    const positions = await Promise.all(waiting.map((w) => positionOf(courseId, w._id)));
    assert.deepEqual(
      positions,
      Array.from({ length: 80 }, (_, i) => i + 1),
    );

    // A cancellation offers the freed seat to exactly position 1 (it holds the seat) and the rest move up by one.
    const first = waiting[0]!;
    const second = waiting[1]!;
    const confirmedUser = results.find((r) => r.status === 'confirmed')!;
    const confirmedResident = (await Enrolment.findById(confirmedUser.enrolmentId).lean())!.resident;
    const { promoted } = await withdraw(courseId, String(confirmedResident));
    assert.equal(promoted, 1);
    assert.equal((await Enrolment.findById(first._id).lean())!.status, 'offered');
    assert.equal(await Seat.countDocuments({ course: courseId }), 20);
    assert.equal(await positionOf(courseId, second._id), 1);
    const after = await waitlist(courseId);
    assert.equal(after.length, 79);
    const note = await Notification.findOne({ user: first.resident, type: 'courseOffered' }).lean();
    assert.ok(note, 'the offered resident is told');
    // A waitlisted resident leaving renumbers the rest without promoting anyone.
    const third = after[1]!;
    const res = await withdraw(courseId, String(after[0]!.resident));
    assert.equal(res.promoted, 0);
    assert.equal(await positionOf(courseId, third._id), 1);
  });

  it('simultaneous HTTP enrolments never overbook', async function () {
    this.timeout(120_000);
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 3 });
    const users = await Promise.all(Array.from({ length: 8 }, () => makeUser({ role: 'resident', center: ctx.centers.miaoxi! })));
    const agents = await Promise.all(users.map((u) => loggedIn(u.phone)));
    const pages = await Promise.all(agents.map((a) => a.get(`/courses/${courseId}`)));
    const tokens = pages.map((p) => /name="_csrf" value="([^"]+)"/.exec(p.text)![1]!);
    const posts = await Promise.all(agents.map((a, i) => a.post(`/courses/${courseId}/enrol`).type('form').send({ _csrf: tokens[i] })));
    for (const p of posts) assert.equal(p.status, 302);
    assert.equal(await Seat.countDocuments({ course: courseId }), 3);
    assert.equal(await Enrolment.countDocuments({ course: courseId, status: 'confirmed' }), 3);
    assert.equal(await Enrolment.countDocuments({ course: courseId, status: 'waitlisted' }), 5);
    const page = await agents[0]!.get(`/courses/${courseId}`);
    assert.match(page.text, /data-enrolment="(confirmed|waitlisted)"/);
  });

  it('the same resident enrolling twice at once gets one enrolment', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 5 });
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const results = await Promise.all(Array.from({ length: 6 }, () => enrol(courseId, u.id)));
    assert.equal(new Set(results.map((r) => r.enrolmentId)).size, 1);
    assert.equal(await Enrolment.countDocuments({ course: courseId, resident: u.id }), 1);
    assert.equal(await Seat.countDocuments({ course: courseId }), 1);
    // Also over HTTP, twice at once with one session.
    const course2 = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 5 });
    const ag = await loggedIn(u.phone);
    const page = await ag.get(`/courses/${course2}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    await Promise.all([1, 2, 3].map(() => ag.post(`/courses/${course2}/enrol`).type('form').send({ _csrf: token })));
    assert.equal(await Enrolment.countDocuments({ course: course2, resident: u.id }), 1);
  });

  it('a resident can withdraw and enrol again', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 2 });
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(u.phone);
    assert.equal((await submit(ag, `/courses/${courseId}`, `/courses/${courseId}/enrol`, {})).status, 302);
    assert.equal((await submit(ag, `/courses/${courseId}`, `/courses/${courseId}/withdraw`, { confirm: 'yes' })).status, 302);
    assert.equal(await Seat.countDocuments({ course: courseId }), 0);
    assert.equal((await submit(ag, `/courses/${courseId}`, `/courses/${courseId}/enrol`, {})).status, 302);
    assert.equal(await Enrolment.countDocuments({ course: courseId, resident: u.id, status: 'confirmed' }), 1);
    const mine = await ag.get('/me/courses');
    assert.equal(mine.status, 200);
    assert.match(mine.text, new RegExp(courseId));
  });

  describe('eligibility is checked on the server', () => {
    it('refuses too young, too old and missing birth year, in words', async () => {
      const courseId = await makeCourse({ center: ctx.centers.miaoxi!, minAge: 18, maxAge: 60 });
      const young = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: new Date().getFullYear() - 16 });
      const old = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: new Date().getFullYear() - 70 });
      const ok = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: new Date().getFullYear() - 40 });
      await assert.rejects(enrol(courseId, young.id), (e: { key: string }) => e.key === 'courses.errors.tooYoung');
      await assert.rejects(enrol(courseId, old.id), (e: { key: string }) => e.key === 'courses.errors.tooOld');
      assert.equal((await enrol(courseId, ok.id)).status, 'confirmed');
      const unknown = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
      await User.updateOne({ _id: unknown.id }, { $set: { birthYear: null } });
      await assert.rejects(enrol(courseId, unknown.id), (e: { key: string }) => e.key === 'courses.errors.needBirthYear');

      const ag = await loggedIn(young.phone);
      const page = await ag.get(`/courses/${courseId}`);
      assert.match(page.text, /年满 18 岁/);
      // Posting anyway (bypassing the page) is refused too, and nothing is stored.
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const res = await ag.post(`/courses/${courseId}/enrol`).type('form').send({ _csrf: token });
      assert.equal(res.status, 303);
      const after = await ag.get(`/courses/${courseId}`);
      assert.match(after.text, /年满 18 岁/);
      assert.equal(await Enrolment.countDocuments({ course: courseId, resident: young.id }), 0);
    });

    it('refuses outside the enrolment window, drafts, and non-residents', async () => {
      const closed = await makeCourse({ center: ctx.centers.miaoxi!, enrolCloses: new Date(Date.now() - 86400_000) });
      const notYet = await makeCourse({ center: ctx.centers.miaoxi!, enrolOpens: new Date(Date.now() + 86400_000) });
      const draft = await makeCourse({ center: ctx.centers.miaoxi!, status: 'draft' });
      const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
      await assert.rejects(enrol(closed, u.id), (e: { key: string }) => e.key === 'courses.errors.windowClosed');
      await assert.rejects(enrol(notYet, u.id), (e: { key: string }) => e.key === 'courses.errors.notYetOpen');
      await assert.rejects(enrol(draft, u.id), (e: { key: string }) => e.key === 'courses.errors.notOpen');
      await assert.rejects(
        enrol(notYet, ctx.users.employer!),
        (e: { kind: string; key: string }) => e.kind === 'forbidden' && e.key === 'courses.errors.residentsOnly',
      );
      assert.equal((await agent().get(`/courses/${draft}`)).status, 404, 'drafts are not public');
    });
  });
});
