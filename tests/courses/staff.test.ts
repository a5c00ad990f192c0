import assert from 'node:assert/strict';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser, uniquePhone } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Course } from '../../models/course.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { Notification } from '../../models/notification.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { User } from '../../models/user.ts';
import { Completion } from '../../models/completion.ts';
import { enrol } from '../../server/courses/service/enrolment.ts';
import { hasCompleted } from '../../server/courses/completion.ts';
import { makeCourse } from './fixtures.ts';

const tomorrow = () => new Date(Date.now() + 86400_000).toISOString().slice(0, 10);

describe('courses: staff management, catalogue and materials', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
  });

  it('demo data: published courses at Miaoxi and elsewhere, and a completed lantern course', async () => {
    const list = await agent().get('/courses');
    assert.equal(list.status, 200);
    for (const t of ['烘焙', '保育', '电工']) assert.match(list.text, new RegExp(t));
    assert.match(list.text, /快满了/);
    assert.equal(await hasCompleted(ctx.users.resident!, 'handicraft'), true);
    const miaoxiOnly = await agent().get(`/courses?center=${ctx.centers.miaoxi}`);
    assert.doesNotMatch(miaoxiOnly.text, /汛桥班/);
    const town = await agent().get(`/courses?center=${ctx.centers.dongcheng}`);
    assert.match(town.text, /中式面点/, 'a town filter includes the villages below');
    const baking = await agent().get('/courses?category=baking&seats=1&within=30');
    assert.equal(baking.status, 200);
    assert.doesNotMatch(baking.text, /保育员/);
    const junk = await agent().get('/courses?category=%24ne&center=zzz&within=-5&page=abc');
    assert.equal(junk.status, 200);
  });

  it('staff create, publish and see a course; the form keeps input on errors', async () => {
    const staff = await loggedIn('13800000001');
    const bad = await submit(staff, '/staff/courses/new', '/staff/courses', {
      title: '',
      category: 'baking',
      center: ctx.centers.miaoxi!,
      capacity: '0',
      completionPercent: '80',
      sessionDate: [tomorrow()],
      sessionStart: ['10:00'],
      sessionEnd: ['09:00'],
      sessionTopic: ['x'],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /下课时间要晚于上课时间/);
    assert.match(bad.text, /这一项必须填写/);
    const res = await submit(staff, '/staff/courses/new', '/staff/courses', {
      title: '电商直播入门',
      category: 'ecommerce',
      center: ctx.centers.miaoxi!,
      capacity: '2',
      completionPercent: '50',
      sessionId: ['', ''],
      sessionDate: [tomorrow(), ''],
      sessionStart: ['09:00', ''],
      sessionEnd: ['11:00', ''],
      sessionTopic: ['开播准备', ''],
    });
    assert.equal(res.status, 302);
    const id = res.headers.location!.split('/').pop()!;
    const course = await Course.findById(id).lean();
    assert.equal(course!.status, 'draft');
    assert.equal(course!.sessions.length, 1);
    assert.equal((await agent().get(`/courses/${id}`)).status, 404);
    assert.equal((await submit(staff, `/staff/courses/${id}`, `/staff/courses/${id}/publish`, {})).status, 302);
    assert.equal((await agent().get(`/courses/${id}`)).status, 200);
    assert.equal((await submit(staff, `/staff/courses/${id}`, `/staff/courses/${id}/publish`, {})).status, 409);
    assert.ok(await AuditEntry.exists({ action: 'course.publish', targetId: id }));
    const edit = await staff.get(`/staff/courses/${id}/edit`);
    assert.equal(edit.status, 200);
    assert.match(edit.text, /开播准备/);
    const list = await staff.get('/staff/courses');
    assert.match(list.text, /电商直播入门/);
  });

  it('staff of another town cannot manage the course', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 5 });
    const sid = String((await Course.findById(courseId).lean())!.sessions[0]!._id);
    const xunqiao = await loggedIn('13800000005');
    const miaoxi = await loggedIn('13800000001');
    const page = await miaoxi.get(`/staff/courses/${courseId}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    void token;
    const xpage = await xunqiao.get('/staff/courses');
    const xtoken = /name="_csrf" value="([^"]+)"/.exec(xpage.text)![1]!;
    assert.equal((await xunqiao.get(`/staff/courses/${courseId}`)).status, 403);
    assert.equal((await xunqiao.get(`/staff/courses/${courseId}/edit`)).status, 403);
    for (const action of ['cancel', 'complete', 'walk-in', `sessions/${sid}/attendance`]) {
      const res = await xunqiao.post(`/staff/courses/${courseId}/${action}`).type('form').send({ _csrf: xtoken, phone: '13800000004', present: [] });
      assert.equal(res.status, 403, action);
    }
    // Creating a course for a center outside the scope is refused too.
    const create = await xunqiao.post('/staff/courses').type('form').send({
      _csrf: xtoken,
      title: 'x',
      category: 'baking',
      center: ctx.centers.miaoxi,
      capacity: '5',
      completionPercent: '80',
      sessionDate: tomorrow(),
      sessionStart: '09:00',
      sessionEnd: '10:00',
      sessionTopic: '',
    });
    assert.equal(create.status, 403);
    assert.equal((await Course.findById(courseId).lean())!.status, 'published');
    assert.doesNotMatch(xpage.text, new RegExp(courseId));
  });

  it('walk-in enrolment at the desk creates a minimal resident account', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 1 });
    const staff = await loggedIn('13800000001');
    const phone = uniquePhone();
    const missingName = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/walk-in`, { phone, name: '', birthYear: '' });
    assert.equal(missingName.status, 400);
    assert.match(missingName.text, /请填写姓名/);
    const res = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/walk-in`, {
      phone,
      name: '窗口大妈',
      birthYear: '1958',
      consent: 'on',
    });
    assert.equal(res.status, 302);
    const user = await User.findOne({ phone }).lean();
    assert.equal(user!.role, 'resident');
    assert.equal(user!.passwordHash, null);
    assert.equal((await Enrolment.findOne({ course: courseId, resident: user!._id }).lean())!.status, 'confirmed');
    // The second walk-in goes to the waitlist: the course has one seat.
    const res2 = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/walk-in`, { phone: '13800000004', name: '', birthYear: '' });
    assert.equal(res2.status, 302);
    assert.equal((await Enrolment.findOne({ course: courseId, resident: ctx.users.lowIncome }).lean())!.status, 'waitlisted');
    const employer = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/walk-in`, { phone: '13800000002', name: '', birthYear: '' });
    assert.equal(employer.status, 400);
    assert.ok(await AuditEntry.exists({ action: 'course.walkIn' }));
    const manage = await staff.get(`/staff/courses/${courseId}`);
    assert.match(manage.text, /data-waiting="1"/);
    // Staff removing the confirmed resident offers the seat to the waiting one (held until they answer).
    const eid = String((await Enrolment.findOne({ course: courseId, resident: user!._id }).lean())!._id);
    assert.equal((await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/enrolments/${eid}/remove`, { confirm: 'yes' })).status, 302);
    assert.equal((await Enrolment.findOne({ course: courseId, resident: ctx.users.lowIncome, status: { $ne: 'withdrawn' } }).lean())!.status, 'offered');
  });

  it('cancelling a course tells everyone enrolled and is final', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 1 });
    const a = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const b = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await enrol(courseId, a.id);
    await enrol(courseId, b.id);
    const staff = await loggedIn('13800000001');
    assert.equal((await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/cancel`, { confirm: 'yes' })).status, 302);
    assert.ok(await Notification.exists({ user: a.id, type: 'courseCancelled' }));
    assert.ok(await Notification.exists({ user: b.id, type: 'courseCancelled' }));
    assert.equal((await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/cancel`, { confirm: 'yes' })).status, 409);
    assert.equal((await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/complete`, {})).status, 409);
    assert.equal(await Completion.countDocuments({ course: courseId }), 0);
  });

  it('renders every course page in both languages without raw i18n keys', async function () {
    this.timeout(60_000);
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 5, minAge: 18 });
    const sid = String((await Course.findById(courseId).lean())!.sessions[0]!._id);
    const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await enrol(courseId, r.id);
    const staff = await loggedIn('13800000001');
    const resident = await loggedIn(r.phone);
    const pages: [ReturnType<typeof agent>, string][] = [
      [agent(), '/courses'],
      [agent(), `/courses/${courseId}`],
      [resident, `/courses/${courseId}`],
      [resident, '/me/courses'],
      [staff, '/staff/courses'],
      [staff, '/staff/courses/new'],
      [staff, `/staff/courses/${courseId}`],
      [staff, `/staff/courses/${courseId}/edit`],
      [staff, `/staff/courses/${courseId}/sessions/${sid}`],
      [staff, `/staff/courses/${courseId}/sessions/${sid}/sheet`],
      [agent(), '/certificates'],
    ];
    for (const lang of ['zh-CN', 'en']) {
      for (const [ag, url] of pages) {
        const res = await ag.get(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
        assert.equal(res.status, 200, `${url} ${lang}`);
        assert.doesNotMatch(res.text, /\bcourses\.[a-z]+\.[a-zA-Z.]+/, `${url} ${lang} has a raw key`);
      }
    }
  });

  it('materials are hidden from non-enrolled users', async function () {
    this.timeout(60_000);
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 5 });
    const staff = await loggedIn('13800000001');
    const page = await staff.get(`/staff/courses/${courseId}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    const up = await staff
      .post(`/staff/courses/${courseId}/materials?_csrf=${encodeURIComponent(token)}`)
      .attach('materials', pdf, { filename: '讲义.pdf', contentType: 'application/pdf' });
    assert.equal(up.status, 302);
    const course = await Course.findById(courseId).lean();
    assert.equal(course!.materials.length, 1);
    const fileId = course!.materials[0]!.id;
    // A disguised file is refused by content.
    const fake = await staff
      .post(`/staff/courses/${courseId}/materials?_csrf=${encodeURIComponent(token)}`)
      .attach('materials', Buffer.from('<script>alert(1)</script>'), { filename: 'x.pdf', contentType: 'application/pdf' });
    assert.equal(fake.status, 302);
    assert.equal((await Course.findById(courseId).lean())!.materials.length, 1);

    const member = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const stranger = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await enrol(courseId, member.id);
    const m = await loggedIn(member.phone);
    const s = await loggedIn(stranger.phone);
    assert.equal((await m.get(`/files/${fileId}`)).status, 200);
    assert.notEqual((await s.get(`/files/${fileId}`)).status, 200);
    assert.notEqual((await agent().get(`/files/${fileId}`)).status, 200);
    const strangerPage = await s.get(`/courses/${courseId}`);
    assert.doesNotMatch(strangerPage.text, new RegExp(fileId));
    assert.match(strangerPage.text, /报上名的学员可以下载/);
    const memberPage = await m.get(`/courses/${courseId}`);
    assert.match(memberPage.text, new RegExp(fileId));
    const xunqiao = await loggedIn('13800000005');
    assert.notEqual((await xunqiao.get(`/files/${fileId}`)).status, 200);
  });
});
