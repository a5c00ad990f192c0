import { isObjectId } from '../../server/lib/ids.ts';
// Key live flows in a real browser: the lobby board shows a posting the moment staff approve it,
// and a resident's QR check-in appears on the staff session page without a reload.
import assert from 'node:assert/strict';
import { artifactPath, browserLogin, withBrowser } from '../helpers/browser.ts';
import { createPosting } from '../../server/gigs/service/postings.ts';
import { submitPosting } from '../../server/gigs/service/lifecycle.ts';
import { sessionUser } from '../../server/accounts/service.ts';
import { postingFields } from '../gigs/helpers.ts';
import { postingSchema } from '../../server/gigs/schemas.ts';
import { makeCourse } from '../courses/fixtures.ts';
import { enrol } from '../../server/courses/service/enrolment.ts';
import { checkinToken } from '../../server/courses/checkin.ts';
import { Course } from '../../models/course.ts';

describe('browser: live updates', function () {
  this.timeout(120_000);
  const env = withBrowser();

  it('shows a new posting on the lobby board as soon as staff approve it', async () => {
    const employer = (await sessionUser(env.ctx.users.employer!))!;
    const input = postingSchema.parse(
      postingFields(env.ctx.centers.miaoxi!, {
        title: '元宵彩灯加急组装',
        description: '加急订单，按件计酬，欢迎阿姨们来。',
        category: 'handicraft',
        payType: 'piece',
        pay: '0.8',
        headcount: '8',
        suitability: ['older'],
      }),
    );
    const created = await createPosting(employer, input, []);
    assert.ok(created.ok, JSON.stringify(created));
    await submitPosting(employer, created.id);

    // The lobby TV of the town above Miaoxi, full screen, no login.
    const board = await env.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors: string[] = [];
    board.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    board.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await board.goto(`${env.site.url}/centers/${env.ctx.centers.dongcheng}/board`);
    await board.waitForFunction(() => (window as unknown as { io?: unknown }).io !== undefined);
    await board.waitForTimeout(500); // socket connected and subscribed
    assert.equal(await board.locator(`[data-posting-id="${created.id}"]`).count(), 0, 'not on the board before approval');

    const staff = await env.browser.newPage({ viewport: { width: 390, height: 844 } });
    await browserLogin(staff, env.site.url, '13800000001');
    await staff.goto(`${env.site.url}/staff/postings/${created.id}`);
    await staff.screenshot({ path: artifactPath('live-gigs-review-phone.png'), fullPage: true });
    await Promise.all([staff.waitForNavigation(), staff.click(`form[action="/staff/postings/${created.id}/approve"] button`)]);

    await board.waitForSelector(`[data-posting-id="${created.id}"]`, { timeout: 10_000 });
    assert.match((await board.textContent(`[data-posting-id="${created.id}"]`)) ?? '', /元宵彩灯加急组装/);
    await board.screenshot({ path: artifactPath('live-board-desktop.png') });
    assert.deepEqual(errors, []);
  });

  it("shows a resident's QR check-in on the staff session page live", async () => {
    const soon = new Date(Date.now() + 5 * 60_000);
    const courseId = await makeCourse({ center: env.ctx.centers.miaoxi!, capacity: 10, sessions: 2, firstStart: soon, title: '烘焙入门（浏览器测试）' });
    await enrol(courseId, env.ctx.users.resident!);
    const course = await Course.findById(courseId).lean();
    const sessionId = String(course!.sessions[0]!._id);

    const staffCtx = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const staff = await staffCtx.newPage();
    await browserLogin(staff, env.site.url, '13800000001');
    await staff.goto(`${env.site.url}/staff/courses/${courseId}/sessions/${sessionId}`);
    const row = `[data-resident="${env.ctx.users.resident}"]`;
    await staff.waitForSelector(row);
    assert.equal(await staff.getAttribute(row, 'data-checkin'), null, 'absent before the scan');
    await staff.waitForFunction(() => (window as unknown as { io?: unknown }).io !== undefined);
    await staff.waitForTimeout(500);

    // The resident "scans" the code: the URL inside the QR is /checkin?t=<token>.
    const phoneCtx = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
    const phone = await phoneCtx.newPage();
    const token = checkinToken(sessionId);
    await phone.goto(`${env.site.url}/checkin?t=${encodeURIComponent(token)}`);
    assert.match(phone.url(), /\/login\?returnTo=/, 'asked to log in first');
    await phone.fill('#f-phone', '13800000003');
    await phone.fill('#f-password', 'doorstep-demo');
    await Promise.all([phone.waitForURL(/\/checkin\?t=/), phone.click('form[action="/login"] button[type=submit]')]);
    await phone.screenshot({ path: artifactPath('live-checkin-phone.png'), fullPage: true });
    await Promise.all([phone.waitForLoadState(), phone.click('form[action="/checkin"] button[type=submit]')]);
    await phone.waitForSelector('h1');

    await staff.waitForSelector(`${row}[data-checkin="present"]`, { timeout: 10_000 });
    await staff.screenshot({ path: artifactPath('live-session-desktop.png'), fullPage: true });
    assert.ok(isObjectId(sessionId));
    await staffCtx.close();
    await phoneCtx.close();
  });
});
