import assert from 'node:assert/strict';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { CourseRoll } from '../../models/course-roll.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { Seat } from '../../models/seat.ts';
import { enrol } from '../../server/courses/service/enrolment.ts';
import { repairEnrolments } from '../../server/courses/service/repairs.ts';
import { activeEnrolment, ensureRolls, positionOf, readRoll, seatsTaken } from '../../server/courses/service/roll.ts';
import { makeCourse } from './fixtures.ts';
import { loggedIn, submit } from '../helpers/app.ts';
import { withdraw } from '../../server/courses/service/enrolment.ts';
import { catalogue } from '../../server/courses/service/catalog.ts';
import { publishedCourses } from '../../server/store/index.ts';
import { commandsOf } from '../helpers/commands.ts';

// The roll (who holds a seat, who waits) is derived from the seats and enrolments: these tests
// take it away or make it lag the way a crash or an upgrade would, and check that seats are
// never overbooked, nobody loses their place and no seat stays idle while someone waits.

describe('courses: the roll follows the seats', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
  });

  const person = async () => (await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: 1970 })).id;

  it('the catalogue reads the rolls of courses not yet over, not of old ones nobody closed', async () => {
    const over = await makeCourse({ center: ctx.centers.miaoxi!, sessions: 2, firstStart: new Date(Date.now() - 30 * 86400_000) });
    const soon = await makeCourse({ center: ctx.centers.miaoxi! });
    publishedCourses.dropAll();
    const { commands } = await commandsOf(() => catalogue({}));
    const rolls = commands.filter((c) => c.collection === 'courserolls').flatMap((c) => c.filters.map((f) => String(f._id)));
    assert.ok(rolls.includes(soon), 'a coming course has its seats counted');
    assert.ok(!rolls.includes(over), 'a course that is over (still published) is not read');
  });

  it('a database from before rolls gets them built once at start-up, with places and positions as they were', async () => {
    const course = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 2 });
    const people = [await person(), await person(), await person(), await person()];
    for (const p of people) await enrol(course, p);
    const before = await Promise.all(people.map(async (p) => (await activeEnrolment(course, p))!.status));
    assert.deepEqual(before, ['confirmed', 'confirmed', 'waitlisted', 'waitlisted']);
    await CourseRoll.deleteMany({});
    assert.equal(await activeEnrolment(course, people[0]!), null, 'without its roll the course knows nobody');
    assert.equal(await ensureRolls(), true);
    assert.equal(await ensureRolls(), false, 'a second start changes nothing');
    assert.deepEqual(await Promise.all(people.map(async (p) => (await activeEnrolment(course, p))!.status)), before);
    const fourth = (await activeEnrolment(course, people[3]!))!;
    assert.equal(await positionOf(course, fourth._id), 2);
    assert.equal(await seatsTaken(course), 2);
  });

  it('a roll that missed a seat (crash after the seat was claimed) still never overbooks', async () => {
    const course = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 2 });
    await enrol(course, await person());
    await CourseRoll.updateOne({ _id: course }, { $set: { seats: [] } });
    const second = await enrol(course, await person());
    const third = await enrol(course, await person());
    assert.equal(second.status, 'confirmed');
    assert.equal(third.status, 'waitlisted');
    assert.equal(await Seat.countDocuments({ course }), 2);
    assert.deepEqual((await readRoll(course)).seats.map((s) => s.n).sort(), [1, 2], 'the roll was rebuilt from the seats');
  });

  it('a roll that still lists a freed seat (crash after the seat was freed) is rebuilt, and the seat offered to the first waiting', async () => {
    const course = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 1 });
    const first = await person();
    await enrol(course, first);
    const waiting = await person();
    await enrol(course, waiting);
    // The withdrawal's enrolment and seat writes landed; the roll's did not.
    const e = (await activeEnrolment(course, first))!;
    await Enrolment.updateOne({ _id: e._id }, { $set: { status: 'withdrawn', activeKey: `${e.activeKey}:x:${String(e._id)}` } });
    await Seat.deleteOne({ enrolment: e._id });
    assert.equal(await seatsTaken(course), 1, 'the lagging roll still counts the seat');
    await repairEnrolments();
    assert.equal((await activeEnrolment(course, waiting))!.status, 'offered');
    assert.equal(await seatsTaken(course), 1);
    assert.equal(await Seat.countDocuments({ course }), 1);
  });

  it('the capacity cannot drop below a seat number still held (the numbers below would be claimed again)', async () => {
    const course = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 3 });
    const people = [await person(), await person(), await person()];
    for (const p of people) await enrol(course, p);
    await withdraw(course, people[0]!);
    await withdraw(course, people[1]!);
    assert.deepEqual(
      (await readRoll(course)).seats.map((s) => s.n),
      [3],
      'one person left, holding seat 3',
    );
    const staff = await loggedIn('13800000001');
    const day = new Date(Date.now() + 2 * 86400_000).toISOString().slice(0, 10);
    const fields = {
      title: '名额测试课',
      category: 'baking',
      center: ctx.centers.miaoxi!,
      completionPercent: '80',
      offerHours: '24',
      sessionDate: day,
      sessionStart: '09:00',
      sessionEnd: '11:00',
      sessionTopic: '',
    };
    const refused = await submit(staff, `/staff/courses/${course}/edit`, `/staff/courses/${course}`, { ...fields, capacity: '2' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /第 3 号名额已有人/);
    assert.match(refused.text, /name="capacity"[^>]*value="2"/, 'what was typed comes back');
    const ok = await submit(staff, `/staff/courses/${course}/edit`, `/staff/courses/${course}`, { ...fields, capacity: '3' });
    assert.equal(ok.status, 302);
  });
});
