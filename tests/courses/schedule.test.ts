import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { enrol } from '../../server/courses/service/enrolment.ts';
import { formatDate } from '../../server/lib/format.ts';
import { Course } from '../../models/course.ts';
import { makeCourse } from './fixtures.ts';

const inDays = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);
const rowsIn = (html: string) => (html.match(/name="sessionDate"/g) ?? []).length;
const datesIn = (html: string) => [...html.matchAll(/name="sessionDate" value="([^"]*)"/g)].map((m) => m[1]);

describe('courses: every listed session says which day, and the course form keeps its rows', () => {
  let ctx: SeedContext;
  let courseId: string;
  let first: Date;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
    first = new Date(Date.now() + 3 * 86400_000);
    courseId = await makeCourse({ center: ctx.centers.miaoxi!, sessions: 3, firstStart: first, title: '日期测试课' });
  });

  it('the course page lists each session with its date and weekday, "Session 1" in English', async () => {
    const zh = await agent().get(`/courses/${courseId}`);
    const zhDay = formatDate(first, 'zh-CN', 'date');
    assert.match(zhDay, /周/);
    assert.ok(zh.text.includes(`<strong>${zhDay} `), `zh page shows ${zhDay} beside the session hours`);
    assert.match(zh.text, /第 1 课/);
    const en = await agent().get(`/courses/${courseId}?lang=en`);
    const enDay = formatDate(first, 'en', 'date');
    assert.match(enDay, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), /);
    assert.ok(en.text.includes(`<strong>${enDay} `), `en page shows ${enDay}`);
    assert.match(en.text, /Session 1/);
    assert.doesNotMatch(en.text, /第 \d 课/, 'no Chinese session numbers in English');
  });

  it('我的课程 and the staff course page show the dates too', async () => {
    const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await enrol(courseId, r.id);
    const mine = await (await loggedIn(r.phone)).get('/me/courses');
    assert.ok(mine.text.includes(formatDate(first, 'zh-CN', 'date')), '我的课程 names the day');
    const staff = await loggedIn('13800000001');
    const manage = await staff.get(`/staff/courses/${courseId}?lang=en`);
    assert.equal(manage.status, 200);
    assert.ok(manage.text.includes(formatDate(first, 'en', 'date')), 'staff page names the day');
    assert.match(manage.text, /Session 3/);
  });

  it('no template uses a bare {{date}} (it is a helper name and renders nothing)', () => {
    const root = path.resolve(import.meta.dirname, '../../views');
    const bad: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\{\{\s*(date|datetime|money|number)\s*\}\}/.test(readFileSync(p, 'utf8'))) bad.push(p);
      }
    };
    walk(root);
    assert.deepEqual(bad, []);
  });

  it('a refused new-course form keeps every date and time, with a fixed number of blank rows', async () => {
    const staff = await loggedIn('13800000001');
    const fresh = await staff.get('/staff/courses/new');
    assert.equal(rowsIn(fresh.text), 4);
    const fields = {
      title: '', // refused: title missing
      category: 'baking',
      center: ctx.centers.miaoxi!,
      capacity: '10',
      completionPercent: '80',
      sessionId: ['', '', '', ''],
      sessionDate: [inDays(5), inDays(6), '', ''],
      sessionStart: ['14:00', '14:00', '', ''],
      sessionEnd: ['16:30', '16:30', '', ''],
      sessionTopic: ['揉面', '烘烤', '', ''],
    };
    const bad = await submit(staff, '/staff/courses/new', '/staff/courses', fields);
    assert.equal(bad.status, 400);
    assert.deepEqual(datesIn(bad.text).slice(0, 2), [inDays(5), inDays(6)], 'dates come back');
    assert.match(bad.text, /value="16:30"/);
    assert.match(bad.text, /value="烘烤"/);
    assert.equal(rowsIn(bad.text), 4, 'two typed rows + two blank, not 8');
    const again = await submit(staff, '/staff/courses/new', '/staff/courses', {
      ...fields,
      sessionId: Array(rowsIn(bad.text)).fill(''),
      sessionDate: datesIn(bad.text) as string[],
      sessionStart: ['14:00', '14:00', '', ''],
      sessionEnd: ['16:30', '16:30', '', ''],
      sessionTopic: ['揉面', '烘烤', '', ''],
    });
    assert.equal(rowsIn(again.text), 4, 'a second refusal does not grow the form');
  });

  it('"add 4 more sessions" works without JavaScript and a 6-session course saves in one go', async () => {
    const staff = await loggedIn('13800000001');
    const base = { title: '六节课', category: 'baking', center: ctx.centers.miaoxi!, capacity: '10', completionPercent: '80' };
    const four = {
      sessionId: ['', '', '', ''],
      sessionDate: [inDays(5), inDays(6), inDays(7), inDays(8)],
      sessionStart: Array(4).fill('09:00'),
      sessionEnd: Array(4).fill('11:00'),
      sessionTopic: ['', '', '', ''],
    };
    const more = await submit(staff, '/staff/courses/new', '/staff/courses', { ...base, ...four, extraRows: '0', addRows: '1' });
    assert.equal(more.status, 200);
    assert.equal(rowsIn(more.text), 8, 'four typed rows + four new blank rows');
    assert.deepEqual(datesIn(more.text).slice(0, 4), four.sessionDate);
    assert.match(more.text, /name="extraRows" value="4"/);
    assert.equal(await Course.countDocuments({ title: '六节课' }), 0, 'adding rows saves nothing');
    const six = await submit(staff, '/staff/courses/new', '/staff/courses', {
      ...base,
      extraRows: '4',
      sessionId: Array(8).fill(''),
      sessionDate: [...four.sessionDate, inDays(9), inDays(10), '', ''],
      sessionStart: [...four.sessionStart, '09:00', '09:00', '', ''],
      sessionEnd: [...four.sessionEnd, '11:00', '11:00', '', ''],
      sessionTopic: Array(8).fill(''),
    });
    assert.equal(six.status, 302);
    const saved = await Course.findOne({ title: '六节课' }).lean();
    assert.equal(saved?.sessions.length, 6);
  });
});
