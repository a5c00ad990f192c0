import assert from 'node:assert/strict';
import { loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Course } from '../../models/course.ts';
import { Attendance } from '../../models/attendance.ts';
import { attendanceWindow } from '../../server/courses/service/attendance.ts';
import { enrol } from '../../server/courses/service/enrolment.ts';
import { checkinToken } from '../../server/courses/checkin.ts';
import { makeCourse } from './fixtures.ts';

const MIN = 60_000;

describe('courses: attendance only around the session itself', () => {
  let ctx: SeedContext;
  let resident: { id: string; phone: string };
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
    resident = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '早到的人' });
  });

  const firstSession = async (courseId: string) => String((await Course.findById(courseId).lean())!.sessions[0]!._id);

  it('QR check-in days before the class is refused with the day and the opening time; roll call too', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, sessions: 2, firstStart: new Date(Date.now() + 2 * 86400_000) });
    await enrol(courseId, resident.id);
    const sid = await firstSession(courseId);
    const ag = await loggedIn(resident.phone);
    const page = await ag.get(`/checkin?t=${encodeURIComponent(checkinToken(sid))}`);
    assert.equal(page.status, 409);
    assert.match(page.text, /还没到签到时间/);
    assert.doesNotMatch(page.text, /action="\/checkin"/, 'no check-in button offered');
    const res = await submit(ag, '/me/courses', '/checkin', { t: checkinToken(sid) });
    assert.equal(res.status, 409);
    assert.match(res.text, /上课前 30 分钟/);
    const en = await ag.get(`/checkin?t=${encodeURIComponent(checkinToken(sid))}&lang=en`);
    assert.match(en.text, /check-in has not opened yet/);
    assert.equal(await Attendance.countDocuments({ session: sid }), 0);

    const staff = await loggedIn('13800000001');
    const url = `/staff/courses/${courseId}/sessions/${sid}`;
    const sessionPage = await staff.get(url);
    assert.match(sessionPage.text, /data-not-started/);
    assert.doesNotMatch(sessionPage.text, /<svg/, 'no QR code for a future session');
    assert.equal((await staff.get(`${url}/qr.svg`)).status, 409);
    const roll = await submit(staff, url, `${url}/attendance`, { present: [resident.id] });
    assert.equal(roll.status, 303);
    assert.match((await staff.get(roll.headers.location!)).text, /这节课还没开始/);
    assert.equal(await Attendance.countDocuments({ session: sid }), 0, 'no one marked present at a future class');
  });

  it('opens 30 minutes before the start, and QR closes after the end (roll call stays open)', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, sessions: 1, firstStart: new Date(Date.now() + 20 * MIN) });
    await enrol(courseId, resident.id);
    const sid = await firstSession(courseId);
    const ag = await loggedIn(resident.phone);
    const ok = await submit(ag, '/me/courses', '/checkin', { t: checkinToken(sid) });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /data-checkin="done"/);

    // Session 1 ended an hour ago; session 2 is tomorrow (so enrolment is still open).
    const over = await makeCourse({ center: ctx.centers.miaoxi!, sessions: 2, firstStart: new Date(Date.now() - 3 * 3600_000) });
    await enrol(over, resident.id);
    const overSid = await firstSession(over);
    const staff = await loggedIn('13800000001');
    const url = `/staff/courses/${over}/sessions/${overSid}`;
    assert.doesNotMatch((await staff.get(url)).text, /<svg/);
    const late = await submit(ag, '/me/courses', '/checkin', { t: checkinToken(overSid) });
    assert.equal(late.status, 409);
    assert.match(late.text, /已经下课/);
    const roll = await submit(staff, url, `${url}/attendance`, { present: [resident.id] });
    assert.equal(roll.status, 302, 'roll call after the class (from the paper sheet) is fine');
    assert.equal(await Attendance.countDocuments({ session: overSid, resident: resident.id, method: 'roll' }), 1);
    assert.equal(attendanceWindow({ startsAt: new Date(Date.now() + 31 * MIN), endsAt: new Date(Date.now() + 90 * MIN) }), 'early');
    assert.equal(attendanceWindow({ startsAt: new Date(Date.now() + 29 * MIN), endsAt: new Date(Date.now() + 90 * MIN) }), 'open');
    assert.equal(attendanceWindow({ startsAt: new Date(Date.now() - 90 * MIN), endsAt: new Date(Date.now() - MIN) }), 'ended');
  });
});
