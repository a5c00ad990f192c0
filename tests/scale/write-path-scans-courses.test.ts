import assert from 'node:assert/strict';
import { loggedIn } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { noScans, recordPost } from '../helpers/commands.ts';
import { makeCourse } from '../courses/fixtures.ts';
import { Attendance } from '../../models/attendance.ts';
import { Course } from '../../models/course.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { enrol } from '../../server/courses/service/enrolment.ts';
import { checkinToken } from '../../server/courses/checkin.ts';
import type { SeedContext } from '../../server/seed/index.ts';

// Issue 11, item 2, for courses: enrolling (into a seat or onto the waiting list), withdrawing
// (which offers the freed seat to the next person) and checking in read the course's roll and
// the enrolments they touch by `_id`, never the seats or enrolments of every course ever held.

async function resident(ctx: SeedContext) {
  const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: 1975 });
  return { ...u, ag: await loggedIn(u.phone) };
}

describe('course write paths issue no collection scans (command recording)', function () {
  this.timeout(120_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('enrolling into a free seat', async () => {
    const course = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 2 });
    await enrol(course, (await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: 1970 })).id);
    const r = await resident(ctx);
    const { scans } = await recordPost(r.ag, `/courses/${course}`, `/courses/${course}/enrol`);
    assert.equal((await Enrolment.findOne({ course, resident: r.id }).lean())!.status, 'confirmed');
    noScans(scans);
  });

  it('enrolling when the course is full (onto the waiting list, with a position)', async () => {
    const course = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 1 });
    await enrol(course, (await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: 1970 })).id);
    await enrol(course, (await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: 1971 })).id);
    const r = await resident(ctx);
    const { scans } = await recordPost(r.ag, `/courses/${course}`, `/courses/${course}/enrol`);
    assert.equal((await Enrolment.findOne({ course, resident: r.id }).lean())!.status, 'waitlisted');
    const page = await r.ag.get(`/courses/${course}`);
    assert.match(page.text, /第\s*2\s*位|position 2|2/);
    noScans(scans);
  });

  it('withdrawing a confirmed place, which offers the seat to the first person waiting', async () => {
    const course = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 1 });
    const r = await resident(ctx);
    await enrol(course, r.id);
    const next = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: 1970 });
    await enrol(course, next.id);
    const { scans } = await recordPost(r.ag, `/courses/${course}`, `/courses/${course}/withdraw`, { confirm: 'yes' });
    assert.equal((await Enrolment.findOne({ course, resident: r.id }).lean())!.status, 'withdrawn');
    assert.equal((await Enrolment.findOne({ course, resident: next.id }).lean())!.status, 'offered');
    noScans(scans);
  });

  it('checking in with the QR code', async () => {
    const course = await makeCourse({ center: ctx.centers.miaoxi!, sessions: 2, firstStart: new Date(Date.now() - 3600_000) });
    const session = String((await Course.findById(course, { sessions: 1 }).lean())!.sessions[0]!._id);
    const r = await resident(ctx);
    await enrol(course, r.id);
    const { scans } = await recordPost(r.ag, '/me/courses', '/checkin', { t: checkinToken(session) });
    assert.ok(await Attendance.exists({ session, resident: r.id }));
    noScans(scans);
  });
});
