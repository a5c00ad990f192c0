// The outbox in a real browser: a resident chooses text messages from /me, enrols in a course,
// the sender writes the SMS to the development log, and the center's staff find it on their
// outbox page. Then both pages at 390 px and 1280 px in both languages: no sideways scrolling,
// no serious accessibility violations, screenshots in tests/artifacts/.
import assert from 'node:assert/strict';
import { withBrowser, browserLogin, walkPages } from '../helpers/browser.ts';
import { makeUser } from '../helpers/data.ts';
import { makeCourse } from '../courses/fixtures.ts';
import { devGateway } from '../../server/outbox/gateway.ts';
import { sendDueMessages } from '../../server/outbox/sender.ts';
import { notify } from '../../server/notifications/service.ts';
import { chooseSms, countingGateway, logLines, removeTempLogs, tempLog } from '../outbox/helpers.ts';

describe('browser: text messages through the outbox', function () {
  this.timeout(300_000);
  const env = withBrowser();
  after(removeTempLogs);

  it('choose SMS on /me, get a notification, see it on the staff outbox page', async () => {
    const resident = await makeUser({ role: 'resident', center: env.ctx.centers.miaoxi!, name: '陈秀英' });
    const courseId = await makeCourse({ center: env.ctx.centers.miaoxi!, title: '中式面点' });
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await browserLogin(page, env.site.url, resident.phone);
    await page.goto(`${env.site.url}/me`);
    await Promise.all([page.waitForURL(/\/me\/notifications$/), page.click('a[href="/me/notifications"]')]);
    await page.check('input[name=channels][value=sms]');
    await page.check('input[name=lang][value="zh-CN"]');
    await Promise.all([page.waitForURL(/\/me\/notifications$/), page.click('form[action="/me/notifications"] button[type=submit]')]);
    assert.match(await page.innerText('main'), /已保存/);
    assert.ok(await page.isChecked('input[name=channels][value=sms]'));

    await page.goto(`${env.site.url}/courses/${courseId}`);
    await Promise.all([page.waitForURL(/\/courses\//), page.click(`form[action="/courses/${courseId}/enrol"] button[type=submit]`)]);
    await ctx.close();

    const log = tempLog();
    await sendDueMessages(devGateway(log));
    const lines = logLines(log).filter((l) => l.to === resident.phone);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!.text, /^【家门口】秀英您好，您已报上“中式面点”/);

    const staffCtx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const staff = await staffCtx.newPage();
    await browserLogin(staff, env.site.url, '13800000001');
    await staff.goto(`${env.site.url}/staff`);
    await Promise.all([staff.waitForURL(/\/staff\/outbox$/), staff.click('a[href="/staff/outbox"]')]);
    const text = await staff.innerText('main');
    assert.match(text, /秀英您好，您已报上“中式面点”/);
    assert.ok(text.includes(`${resident.phone.slice(0, 3)}****${resident.phone.slice(-4)}`));
    assert.match(text, /已发送/);
    await staffCtx.close();
  });

  it('shows the choice and the staff list cleanly at 390 px and 1280 px in both languages', async () => {
    // Something of every status for the staff list.
    const failing = await makeUser({ role: 'resident', center: env.ctx.centers.miaoxi!, name: '周建国' });
    await chooseSms(failing.id, 'en');
    await notify(
      failing.id,
      'courseReminder',
      { course: '家政服务员（育婴方向）初级培训班', venue: '庙西村党群服务中心二楼', startsAt: new Date(Date.now() + 20 * 3600_000).toISOString() },
      '/courses',
    );
    await sendDueMessages(countingGateway(() => 'provider said: number out of service'));
    await notify(failing.id, 'workshopPaid', { month: '2026-11' }, '/me/work');

    const pages: ['resident' | 'staff', string, string][] = [
      ['resident', 'prefs', '/me/notifications'],
      ['resident', 'me', '/me'],
      ['staff', 'staff-outbox', '/staff/outbox'],
    ];
    const phones = { resident: failing.phone, staff: '13800000001' };
    const problems = await walkPages(env, { pages, phones, areas: ['outbox'], shot: 'outbox' });
    assert.deepEqual(problems, []);
  });
});
