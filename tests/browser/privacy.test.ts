import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { artifactPath, browserLogin, withBrowser } from '../helpers/browser.ts';
import { uniquePhone } from '../helpers/data.ts';

// Screenshots of the privacy pages go to tests/artifacts/ (and PRIVACY_SHOTS=<dir> when set).
async function shot(page: Page, name: string): Promise<void> {
  const file = artifactPath(`privacy-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.PRIVACY_SHOTS) fs.copyFileSync(file, `${process.env.PRIVACY_SHOTS}/privacy-${name}.png`);
}

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${what}: ${scroll}px wide in a ${width}px window`);
}

describe('browser: privacy', function () {
  this.timeout(180_000);
  const env = withBrowser();

  it('registers with consent, asks for deletion on a confirmation page, and sees the date it will happen', async () => {
    const page = await env.browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems: string[] = [];
    // The refused sign-up answers 400 on purpose; any other console error is a problem.
    page.on('console', (m) => m.type() === 'error' && !/status of 400/.test(m.text()) && problems.push(m.text()));
    await page.goto(`${env.site.url}/register?lang=zh-CN`);
    await page.check('input[name=role][value=resident]');
    await page.fill('#f-name', '隐私测试');
    const phone = uniquePhone();
    await page.fill('#f-phone', phone);
    await page.selectOption('#f-homeCenter', env.ctx.centers.miaoxi!);
    await page.fill('#f-password', 'lantern-2026');
    await page.fill('#f-passwordConfirm', 'lantern-2026');
    // Without the box: the form comes back, as typed, with the reason.
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/register')),
      page.click('form[action="/register"] button[type=submit]'),
    ]);
    await page.waitForLoadState();
    const refused = (await page.textContent('body')) ?? '';
    assert.match(refused, /请先阅读个人信息说明/, refused.replace(/\s+/g, ' ').slice(0, 1500));
    assert.equal(await page.inputValue('#f-name'), '隐私测试');
    await page.fill('#f-password', 'lantern-2026');
    await page.fill('#f-passwordConfirm', 'lantern-2026');
    await page.check('input[name=privacyConsent]');
    await shot(page, 'register-390-zh');
    await Promise.all([page.waitForURL(`${env.site.url}/login`), page.click('form[action="/register"] button[type=submit]')]);
    await browserLogin(page, env.site.url, phone, 'lantern-2026');

    await page.goto(`${env.site.url}/me/privacy`);
    await page.click('a[href="/me/privacy/delete"]');
    assert.ok(await page.isVisible('button.danger'));
    await noSidewaysScroll(page, 'confirmation');
    await shot(page, 'delete-390-zh');
    await page.check('input[name=understand]');
    await Promise.all([page.waitForURL(`${env.site.url}/me/privacy`), page.click('form[action="/me/privacy/delete"] button[type=submit]')]);
    const pending = (await page.textContent('[data-deletion=pending]')) ?? '';
    assert.match(pending, /将在 \S+ 删除/);
    await noSidewaysScroll(page, '/me/privacy');
    await shot(page, 'mine-390-zh');
    assert.deepEqual(problems, []);
  });

  it('lays out the privacy pages at 390 and 1280 px in both languages', async () => {
    for (const lang of ['zh-CN', 'en']) {
      for (const width of [390, 1280]) {
        const page = await env.browser.newPage({ viewport: { width, height: 900 } });
        await page.goto(`${env.site.url}/privacy?lang=${lang}`);
        await noSidewaysScroll(page, `/privacy ${lang} ${width}`);
        await shot(page, `notice-${width}-${lang}`);
        await browserLogin(page, env.site.url, '13800000004');
        for (const [name, url] of [
          ['mine', '/me/privacy'],
          ['data', '/me/data'],
          ['delete', '/me/privacy/delete'],
        ]) {
          await page.goto(`${env.site.url}${url}`);
          await noSidewaysScroll(page, `${url} ${lang} ${width}`);
          await shot(page, `${name}-${width}-${lang}`);
        }
        const staff = await env.browser.newPage({ viewport: { width, height: 900 } });
        await staff.goto(`${env.site.url}/?lang=${lang}`);
        await browserLogin(staff, env.site.url, '13800000001');
        await staff.goto(`${env.site.url}/staff/privacy/deletions`);
        await noSidewaysScroll(staff, `staff list ${lang} ${width}`);
        await shot(staff, `staff-${width}-${lang}`);
        await staff.close();
        await page.close();
      }
    }
  });
});
