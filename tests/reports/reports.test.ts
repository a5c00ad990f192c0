import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { Posting } from '../../models/posting.ts';
import { Course } from '../../models/course.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { Attendance } from '../../models/attendance.ts';
import { Completion } from '../../models/completion.ts';
import { loggedIn } from '../helpers/app.ts';
import { commandsOf } from '../helpers/commands.ts';
import { freshDemo } from '../helpers/data.ts';
import { centerReports } from '../../server/store/index.ts';
import { dayKey } from '../../server/lib/format.ts';
import type { SeedContext } from '../../server/seed/index.ts';

const MIAOXI_STAFF = '13800000001';
const XUNQIAO_STAFF = '13800000005';

/** The figure in a report table row: `<td data-label="…">N</td>` cells in order. */
function rowCells(html: string, table: string, rowStart: string): string[] {
  const t = html.slice(html.indexOf(`data-report="${table}"`));
  const body = t.slice(t.indexOf('<tbody>'), t.indexOf('</tbody>'));
  const row = body.split('<tr').find((r) => r.includes(rowStart));
  assert.ok(row, `row ${rowStart} in ${table}`);
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
}

describe('reports: jobs and courses beside workshops, with CSV', function () {
  this.timeout(60_000);
  let ctx: SeedContext;
  const month = dayKey().slice(0, 7);
  before(async () => {
    ctx = await freshDemo();
  });

  it("counts a newly published posting in the scope's month and in its center's row", async () => {
    const staff = await loggedIn(MIAOXI_STAFF);
    centerReports.dropAll();
    const before = rowCells((await staff.get('/staff/reports/jobs')).text, 'jobs-trend', `>${month}<`);
    await Posting.create({
      employer: new Types.ObjectId(ctx.users.employer),
      employerName: '报表测试雇主',
      title: '报表测试招工',
      description: '测试',
      category: 'farm',
      payType: 'day',
      payFen: 15000,
      headcount: 2,
      startDay: dayKey(),
      endDay: dayKey(),
      center: ctx.centers.miaoxi,
      centerPath: [ctx.centers.linhai, ctx.centers.dongcheng, ctx.centers.miaoxi],
      code: '990001',
      status: 'published',
      publishedAt: new Date(),
    });
    centerReports.dropAll();
    const res = await staff.get('/staff/reports/jobs');
    assert.equal(res.status, 200);
    const after = rowCells(res.text, 'jobs-trend', `>${month}<`);
    assert.equal(Number(after[1]), Number(before[1]) + 1, 'postings this month');
    const miaoxiRow = rowCells(res.text, 'jobs-centers', '庙西村');
    assert.ok(Number(miaoxiRow[1]) >= 1);
    // Another town's staff do not see it, and cannot ask for Miaoxi.
    const other = await loggedIn(XUNQIAO_STAFF);
    const theirs = await other.get('/staff/reports/jobs');
    assert.doesNotMatch(theirs.text, /庙西村/);
    assert.equal((await other.get(`/staff/reports/jobs?center=${ctx.centers.miaoxi}`)).status, 403);
    assert.equal((await other.get(`/staff/reports/jobs.csv?center=${ctx.centers.miaoxi}`)).status, 403);
  });

  it('exports jobs as CSV with a header and one row per center and month', async () => {
    const staff = await loggedIn(MIAOXI_STAFF);
    const res = await staff.get('/staff/reports/jobs.csv');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type']!, /text\/csv/);
    assert.ok(res.text.startsWith('\ufeff'), 'BOM for Excel');
    const lines = res.text.slice(1).trim().split('\r\n');
    assert.equal(lines[0], '服务中心,月份,发布的招工,报名人次,录用人数');
    assert.ok(lines.some((l) => l.startsWith(`庙西村党群服务中心,${month},`)));
    assert.equal((lines.length - 1) % 6, 0, 'six months per center');
  });

  it('shows each course with its enrolments, attendance and completions, in its row and the month, and guards the CSV against formulas', async () => {
    const staff = await loggedIn(MIAOXI_STAFF);
    centerReports.dropAll();
    const before = rowCells((await staff.get('/staff/reports/courses')).text, 'courses-trend', `>${month}<`);
    // One session held an hour ago, one next week: two confirmed learners could have attended once each.
    const held = new Date(Date.now() - 3600_000);
    const next = new Date(Date.now() + 7 * 86400_000);
    const course = await Course.create({
      center: ctx.centers.miaoxi,
      title: '=HYPERLINK("http://x","点我")',
      category: 'baking',
      capacity: 10,
      status: 'published',
      sessions: [held, next].map((at) => ({ startsAt: at, endsAt: new Date(at.getTime() + 1800_000) })),
      firstSessionAt: held,
      lastSessionAt: new Date(next.getTime() + 1800_000),
    });
    const residents: Types.ObjectId[] = [];
    for (const [i, status] of (['confirmed', 'confirmed', 'waitlisted', 'withdrawn', 'pending'] as const).entries()) {
      const resident = new Types.ObjectId();
      residents.push(resident);
      await Enrolment.create({
        course: course._id,
        resident,
        activeKey: `${String(course._id)}:${String(resident)}`,
        status,
        residentName: `学员${i}`,
        center: ctx.centers.miaoxi,
      });
    }
    await Attendance.create({ course: course._id, session: course.sessions[0]!._id, resident: residents[0], method: 'roll' });
    await Completion.create({
      resident: residents[1],
      course: course._id,
      category: 'baking',
      center: ctx.centers.miaoxi,
      residentName: '学员1',
      courseTitle: course.title,
      centerName: '庙西村',
      hours: 2,
      attendedPercent: 100,
      code: 'RPT-TEST-1',
    });
    centerReports.dropAll();
    const page = await staff.get('/staff/reports/courses');
    assert.equal(page.status, 200);
    const after = rowCells(page.text, 'courses-trend', `>${month}<`);
    assert.deepEqual(
      after.slice(1).map(Number),
      [Number(before[1]) + 4, Number(before[2]) + 1, Number(before[3]) + 1],
      'this month: four enrolments (not the pending one), one attendance, one completion',
    );
    const cells = rowCells(page.text, 'courses-list', `data-course="${String(course._id)}"`);
    assert.equal(cells[2], '2 / 10');
    assert.equal(cells[3], '1', 'waiting');
    assert.equal(cells[4]!.replace(/\s+/g, ' '), '50% (1/2)', 'attended once of two possible');
    assert.equal(cells[5], '1', 'completions');
    const csv = await staff.get('/staff/reports/courses.csv');
    assert.equal(csv.status, 200);
    assert.match(csv.text, /"'=HYPERLINK\(""http:\/\/x"",""点我""\)"/);
    assert.doesNotMatch(csv.text, /(^|\r\n)"?=HYPERLINK/);
    assert.match(csv.text, /,10,2,1,1,1,50,1(\r\n|$)/, 'capacity, enrolled, waiting, withdrawn, attended, attendance %, completions');
    // Xunqiao staff do not see Miaoxi's course.
    const other = await loggedIn(XUNQIAO_STAFF);
    assert.doesNotMatch((await other.get('/staff/reports/courses')).text, new RegExp(String(course._id)));
  });

  it('exports the workshop report too, money in yuan, and links the three reports together', async () => {
    const staff = await loggedIn(MIAOXI_STAFF);
    const page = await staff.get('/staff/reports');
    assert.match(page.text, /href="\/staff\/reports\/jobs/);
    assert.match(page.text, /href="\/staff\/reports\/courses/);
    const csv = await staff.get('/staff/reports/workshops.csv');
    assert.equal(csv.status, 200);
    const lines = csv.text.slice(1).trim().split('\r\n');
    assert.equal(lines.length, 1 + 6 + 1, 'six months in scope, then the one Miaoxi workshop');
    assert.match(lines.at(-1)!, /,\d+\.\d{2},\d+\.\d{2}$/);
  });

  it('reads applications, enrolments, attendance and completions made since the window began, users by id, and lists the courses running since', async () => {
    const staff = await loggedIn(MIAOXI_STAFF);
    const dayMs = 86400_000;
    const madeAt = (daysAgo: number) => Types.ObjectId.createFromTime(Math.floor((Date.now() - daysAgo * dayMs) / 1000));
    // A course of last year, with an enrolment of its time (as its records were stored then).
    const old = await Course.create({
      _id: madeAt(420),
      center: ctx.centers.miaoxi,
      title: '去年的烘焙班',
      category: 'baking',
      capacity: 10,
      status: 'completed',
      sessions: [{ startsAt: new Date(Date.now() - 400 * dayMs), endsAt: new Date(Date.now() - 400 * dayMs + 7200_000) }],
      firstSessionAt: new Date(Date.now() - 400 * dayMs),
      lastSessionAt: new Date(Date.now() - 400 * dayMs + 7200_000),
    });
    const resident = new Types.ObjectId();
    await Enrolment.create({
      _id: madeAt(410),
      createdAt: new Date(Date.now() - 410 * dayMs),
      course: old._id,
      resident,
      activeKey: `${String(old._id)}:${String(resident)}`,
      status: 'confirmed',
      residentName: '老学员',
      center: ctx.centers.miaoxi,
    });
    const start = new Date(Date.now() + 3 * dayMs);
    const current = await Course.create({
      center: ctx.centers.miaoxi,
      title: '本月的保育班',
      category: 'childcare',
      capacity: 10,
      status: 'published',
      sessions: [{ startsAt: start, endsAt: new Date(start.getTime() + 7200_000) }],
      firstSessionAt: start,
      lastSessionAt: new Date(start.getTime() + 7200_000),
    });
    centerReports.dropAll();
    const { scans } = await commandsOf(async () => {
      // The workshop report: its low-income figures read the report's workers, not all users.
      assert.equal((await staff.get('/staff/reports')).status, 200);
      assert.equal((await staff.get('/staff/reports/jobs')).status, 200);
      const page = await staff.get('/staff/reports/courses');
      assert.equal(page.status, 200);
      assert.match(page.text, new RegExp(`data-course="${String(current._id)}"`));
      assert.doesNotMatch(page.text, new RegExp(`data-course="${String(old._id)}"`), 'a course over before the window is not listed');
    });
    // Postings and hires are read whole (publication and hiring have no bound on a record's age).
    assert.deepEqual(
      scans.filter((s) => !/^find (postings|postingslots) /.test(s)),
      [],
    );
  });
});
