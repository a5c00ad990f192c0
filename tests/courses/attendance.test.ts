import assert from 'node:assert/strict';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Course } from '../../models/course.ts';
import { Attendance } from '../../models/attendance.ts';
import { Completion } from '../../models/completion.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { Notification } from '../../models/notification.ts';
import { meetsRule } from '../../server/courses/service/certificates.ts';
import { enrol } from '../../server/courses/service/enrolment.ts';
import { checkinToken, verifyCheckinToken } from '../../server/courses/checkin.ts';
import { hasCompleted } from '../../server/courses/completion.ts';
import { sendSessionReminders } from '../../server/courses/reminders.ts';
import { commandsOf } from '../helpers/commands.ts';
import { makeCourse } from './fixtures.ts';

async function sessionIds(courseId: string): Promise<string[]> {
  const c = await Course.findById(courseId, { sessions: 1 }).lean();
  return c!.sessions.map((s) => String(s._id));
}

/** Opens the check-in link as a logged-in user and confirms it. */
async function scan(ag: ReturnType<typeof agent>, token: string) {
  return submit(ag, '/me/courses', '/checkin', { t: token });
}

describe('courses: QR check-in, roll call, completion and certificates', () => {
  let ctx: SeedContext;
  let courseId: string;
  let sessions: string[];
  let enrolled: { id: string; phone: string; name: string };
  let other: { id: string; phone: string; name: string };

  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
    courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 10, sessions: 5, completionPercent: 80, firstStart: new Date(Date.now() - 3600_000) });
    sessions = await sessionIds(courseId);
    enrolled = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '签到测试甲' });
    other = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '没报名的人' });
    await enrol(courseId, enrolled.id);
  });

  it('an enrolled resident checks in with a fresh token', async () => {
    const ag = await loggedIn(enrolled.phone);
    const page = await ag.get(`/checkin?t=${encodeURIComponent(checkinToken(sessions[0]!))}`);
    assert.equal(page.status, 200);
    const res = await scan(ag, checkinToken(sessions[0]!));
    assert.equal(res.status, 200);
    assert.match(res.text, /data-checkin="done"/);
    assert.equal(await Attendance.countDocuments({ session: sessions[0], resident: enrolled.id }), 1);
  });

  it('an anonymous scan goes to login first and comes back', async () => {
    const res = await agent().get(`/checkin?t=${encodeURIComponent(checkinToken(sessions[0]!))}`);
    assert.equal(res.status, 302);
    assert.match(res.headers.location!, /^\/login\?returnTo=%2Fcheckin/);
  });

  it('refuses a reused token (same resident, same session)', async () => {
    const ag = await loggedIn(enrolled.phone);
    const res = await scan(ag, checkinToken(sessions[0]!));
    assert.equal(res.status, 409);
    assert.match(res.text, /已经签过到/);
    assert.equal(await Attendance.countDocuments({ session: sessions[0], resident: enrolled.id }), 1);
  });

  it('refuses an expired token', async () => {
    const old = checkinToken(sessions[1]!, new Date(Date.now() - 3 * 60_000));
    assert.deepEqual(verifyCheckinToken(old), { ok: false, key: 'courses.checkin.expired' });
    assert.equal(verifyCheckinToken(checkinToken(sessions[1]!, new Date(Date.now() - 60_000))).ok, true, 'the previous minute is still accepted');
    const ag = await loggedIn(enrolled.phone);
    const res = await scan(ag, old);
    assert.equal(res.status, 410);
    assert.match(res.text, /已过期/);
    assert.equal(await Attendance.countDocuments({ session: sessions[1], resident: enrolled.id }), 0);
  });

  it('refuses a tampered or forged token', async () => {
    const good = checkinToken(sessions[1]!);
    const parts = good.split('.');
    const tampered = [parts[0], parts[1], parts[2]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))].join('.');
    const otherSession = [sessions[2], parts[1], parts[2]].join('.');
    const future = checkinToken(sessions[1]!, new Date(Date.now() + 10 * 60_000));
    const ag = await loggedIn(enrolled.phone);
    for (const t of [tampered, otherSession, 'garbage', `${sessions[1]}.zzz.${'x'.repeat(22)}`]) {
      const res = await scan(ag, t);
      assert.equal(res.status, 400, t);
      assert.match(res.text, /二维码无效/);
    }
    assert.equal((await scan(ag, future)).status, 410);
    assert.equal(await Attendance.countDocuments({ resident: enrolled.id }), 1);
  });

  it('refuses a resident who is not enrolled', async () => {
    const ag = await loggedIn(other.phone);
    const res = await scan(ag, checkinToken(sessions[1]!));
    assert.equal(res.status, 403);
    assert.match(res.text, /没有报上/);
    assert.equal(await Attendance.countDocuments({ resident: other.id }), 0);
  });

  it('staff see the QR and the check-ins on the session page; others cannot', async () => {
    const staff = await loggedIn('13800000001');
    const page = await staff.get(`/staff/courses/${courseId}/sessions/${sessions[0]}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<svg/);
    assert.match(page.text, /data-checkin="present"/);
    assert.match(page.text, /签到测试甲/);
    assert.match(page.text, /\/js\/courses-live\.js/);
    const qr = await staff.get(`/staff/courses/${courseId}/sessions/${sessions[0]}/qr.svg`);
    assert.equal(qr.status, 200);
    assert.match(qr.headers['content-type']!, /svg/);
    const xunqiao = await loggedIn('13800000005');
    assert.equal((await xunqiao.get(`/staff/courses/${courseId}/sessions/${sessions[0]}`)).status, 403);
    const resident = await loggedIn(enrolled.phone);
    assert.equal((await resident.get(`/staff/courses/${courseId}/sessions/${sessions[0]}`)).status, 403);
  });

  it('roll call and the completion rule at exactly N %', async () => {
    // 5 sessions, rule 80 %: 4 of 5 completes, 3 of 5 does not.
    const exactly = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '刚好八成' });
    const below = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '差一节' });
    await enrol(courseId, exactly.id);
    await enrol(courseId, below.id);
    const staff = await loggedIn('13800000001');
    // Roll call is for sessions that have begun: move the later sessions into the past (ids kept).
    const c = (await Course.findById(courseId).lean())!;
    const shifted = c.sessions.map((s, i) => ({
      ...s,
      startsAt: new Date(Date.now() - (6 - i) * 86400_000),
      endsAt: new Date(Date.now() - (6 - i) * 86400_000 + 7200_000),
    }));
    await Course.updateOne({ _id: courseId }, { $set: { sessions: shifted, firstSessionAt: shifted[0]!.startsAt, lastSessionAt: shifted.at(-1)!.endsAt } });
    for (const [i, sid] of sessions.entries()) {
      const present = [enrolled.id];
      if (i < 4) present.push(exactly.id);
      if (i < 3) present.push(below.id);
      const url = `/staff/courses/${courseId}/sessions/${sid}`;
      const res = await submit(staff, url, `${url}/attendance`, { present });
      assert.equal(res.status, 302);
    }
    assert.equal(await Attendance.countDocuments({ course: courseId, resident: exactly.id }), 4);
    assert.equal(await Attendance.countDocuments({ course: courseId, resident: below.id }), 3);
    // Unticking removes a roll-call mark; the QR check-in of session 1 is kept when ticked.
    assert.equal(await Attendance.countDocuments({ course: courseId, session: sessions[0], resident: enrolled.id, method: 'qr' }), 1);
    assert.ok(await AuditEntry.exists({ action: 'course.rollCall', targetId: courseId }));
    assert.equal(meetsRule(4, 5, 80), true);
    assert.equal(meetsRule(3, 5, 80), false);
    assert.equal(meetsRule(2, 3, 67), false);
    assert.equal(meetsRule(2, 3, 66), true);

    const sheet = await staff.get(`/staff/courses/${courseId}/sessions/${sessions[0]}/sheet`);
    assert.equal(sheet.status, 200);
    assert.match(sheet.text, /刚好八成/);
    assert.doesNotMatch(sheet.text, new RegExp(exactly.phone), 'the sheet shows only the last digits');

    const done = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/complete`, {});
    assert.equal(done.status, 302);
    assert.ok(await Completion.exists({ course: courseId, resident: exactly.id }));
    assert.ok(await Completion.exists({ course: courseId, resident: enrolled.id }));
    assert.equal(await Completion.exists({ course: courseId, resident: below.id }), null);
    assert.ok(await Notification.exists({ user: exactly.id, type: 'courseCertificate' }));
    assert.equal(await hasCompleted(exactly.id, courseId), true);
    assert.equal(await hasCompleted(exactly.id, 'baking'), true);
    assert.equal(await hasCompleted(below.id, 'baking'), false);
    // Completing twice is an illegal transition.
    const again = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/complete`, {});
    assert.equal(again.status, 409);
  });

  it('verifies a good certificate publicly without the phone number; a made-up code is 404', async () => {
    const cert = await Completion.findOne({ course: courseId }).lean();
    const res = await agent().get(`/certificates/${cert!.code}`);
    assert.equal(res.status, 200);
    assert.match(res.text, /data-verified="yes"/);
    assert.match(res.text, new RegExp(cert!.residentName));
    const resident = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    void resident;
    const phone = (await import('../../models/user.ts')).User;
    const u = await phone.findById(cert!.resident, { phone: 1 }).lean();
    assert.doesNotMatch(res.text, new RegExp(u!.phone));
    const lower = await agent().get(`/certificates/${cert!.code.toLowerCase()}`);
    assert.equal(lower.status, 200);
    for (const bad of ['ABCDE-FGHJK', 'nope', '%24where', 'x'.repeat(60)]) {
      const r = await agent().get(`/certificates/${bad}`);
      assert.equal(r.status, 404, bad);
      assert.match(r.text, /data-verified="no"/);
    }
    const pdf = await agent().get(`/certificates/${cert!.code}.pdf`).buffer(true);
    assert.equal(pdf.status, 200);
    assert.match(pdf.headers['content-type']!, /application\/pdf/);
    assert.equal(
      Buffer.from(pdf.body as Buffer)
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );
    assert.equal((await agent().get('/certificates/ABCDE-FGHJK.pdf')).status, 404);
    const lookup = await agent().get(`/certificates?code=${cert!.code}`);
    assert.equal(lookup.status, 302);
  });

  it('sends each session reminder once', async () => {
    const soon = await makeCourse({ center: ctx.centers.miaoxi!, sessions: 2, firstStart: new Date(Date.now() + 5 * 3600_000) });
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await enrol(soon, u.id);
    const { scans } = await commandsOf(() => Promise.all([sendSessionReminders(), sendSessionReminders()]));
    assert.deepEqual(scans, [], 'the confirmed are read through the roll, by `_id`');
    await sendSessionReminders();
    assert.equal(await Notification.countDocuments({ user: u.id, type: 'courseReminder' }), 1);
  });
});
