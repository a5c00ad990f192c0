// The desk flow in a real browser: staff reset a resident's forgotten password, the resident
// logs in with the temporary one and must choose a new one before anything else. Then the
// pages this flow and the admin/report work added, at phone and desktop width in both
// languages: no sideways scrolling at 390 px, no serious accessibility violations, screenshots.
import assert from 'node:assert/strict';
import { withBrowser, browserLogin, artifactPath, walkPages } from '../helpers/browser.ts';
import { makeUser } from '../helpers/data.ts';

describe('browser: the staff desk', function () {
  this.timeout(300_000);
  const env = withBrowser();

  it('resets a password at the desk; the resident must set a new one at next login', async () => {
    const resident = await makeUser({ role: 'resident', center: env.ctx.centers.miaoxi!, name: '忘了密码的阿婆' });
    const staffCtx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const staff = await staffCtx.newPage();
    await browserLogin(staff, env.site.url, '13800000001');
    // From the desk: find by phone, open the person, reset.
    await staff.goto(`${env.site.url}/staff/residents`);
    await staff.fill('#f-phone', resident.phone);
    await Promise.all([staff.waitForURL(/\/staff\/residents\/[a-f\d]{24}$/), staff.click('form.search button[type=submit]')]);
    await Promise.all([staff.waitForURL(/\/password$/), staff.click(`a[href="/staff/residents/${resident.id}/password"]`)]);
    // Without the ID box ticked it comes back with the reason; nothing changes.
    await staff.click('form[action$="/password"] button[type=submit]');
    assert.match(await staff.innerText('main'), /请先核对身份证并勾选/);
    await staff.check('input[name=idChecked]');
    await staff.click('form[action$="/password"] button[type=submit]');
    const temp = (await staff.innerText('[data-temp-password]')).trim();
    assert.match(temp, /^\d{10}$/);
    await staff.screenshot({ path: artifactPath('desk-reset-done-390-zh-CN.png'), fullPage: true });
    await staffCtx.close();

    const residentCtx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await residentCtx.newPage();
    await browserLogin(page, env.site.url, resident.phone, temp);
    assert.equal(new URL(page.url()).pathname, '/profile/password');
    await page.goto(`${env.site.url}/me/courses`);
    assert.equal(new URL(page.url()).pathname, '/profile/password', 'every page leads back until a new password is set');
    assert.equal(await page.locator('input[name=current]').count(), 0);
    await page.fill('#f-password', 'my-own-2026');
    await page.fill('#f-passwordConfirm', 'my-own-2026');
    await Promise.all([page.waitForURL((u) => u.pathname === '/me'), page.click('form[action="/profile/password"] button[type=submit]')]);
    assert.match(await page.innerText('main'), /新密码已保存/);
    await residentCtx.close();

    const again = await env.browser.newContext();
    await browserLogin(await again.newPage(), env.site.url, resident.phone, 'my-own-2026');
    await again.close();
  });

  it('shows the new pages cleanly at 390 px and 1280 px in both languages', async () => {
    const m = env.ctx.centers.miaoxi!;
    const pages: ['anonymous' | 'staff' | 'admin', string, string][] = [
      ['anonymous', 'home', '/'],
      ['staff', 'resident', `/staff/residents/${env.ctx.users.lowIncome}`],
      ['staff', 'reset-confirm', `/staff/residents/${env.ctx.users.resident}/password`],
      ['staff', 'reports-jobs', '/staff/reports/jobs'],
      ['staff', 'reports-courses', '/staff/reports/courses'],
      ['staff', 'reports-workshops', `/staff/reports?center=${m}`],
      ['admin', 'audit', '/admin/audit'],
      ['admin', 'accounts', `/admin/accounts/${env.ctx.users.employer}`],
      ['admin', 'disable-confirm', `/admin/accounts/${env.ctx.users.employer}/disable`],
      ['admin', 'staff-table', '/admin/staff'],
    ];
    const phones = { staff: '13800000001', admin: '13800000000' };
    const problems = await walkPages(env, { pages, phones, areas: ['accounts', 'admin', 'audit', 'reports', 'home'], shot: 'desk' });
    assert.deepEqual(problems, []);
  });
});
