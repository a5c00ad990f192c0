import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { withBrowser, browserLogin, artifactPath } from '../helpers/browser.ts';
import { makeUser } from '../helpers/data.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import { publishedPosting, inDays } from '../gigs/helpers.ts';
import { Application } from '../../models/application.ts';
import { PostingSlot } from '../../models/posting-slot.ts';

/** The page's widest element must fit the viewport: nothing scrolls sideways. */
async function noSideScroll(page: Page, what: string) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${what}: page is ${scroll}px wide in a ${width}px window`);
}

describe('browser: course form, course schedule and a hired worker’s page at 390 px', function () {
  this.timeout(180_000);
  const env = withBrowser();

  it('the course form fits a phone: the end time is as wide as the start time', async () => {
    for (const lang of ['zh-CN', 'en']) {
      const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await ctx.newPage();
      await browserLogin(page, env.site.url, '13800000001');
      await page.goto(`${env.site.url}/staff/courses/new?lang=${lang}`);
      await noSideScroll(page, `course form ${lang}`);
      const start = await page.locator('input[name="sessionStart"]').first().boundingBox();
      const end = await page.locator('input[name="sessionEnd"]').first().boundingBox();
      assert.ok(start && end && end.width >= 120 && Math.abs(end.width - start.width) < 4, `end field ${end?.width}px vs start ${start?.width}px`);
      // Without JavaScript semantics: the add-rows button is a plain submit.
      await page.locator('input[name="sessionDate"]').first().fill(inDays(3));
      await Promise.all([page.waitForLoadState(), page.click('button[name="addRows"]')]);
      assert.equal(await page.locator('input[name="sessionDate"]').count(), 8);
      assert.equal(await page.locator('input[name="sessionDate"]').first().inputValue(), inDays(3));
      await page.screenshot({ path: artifactPath(`ux-course-form-390-${lang}.png`), fullPage: true });
      await ctx.close();
    }
  });

  it('course page and a hired worker’s applications page, 390 and 1280 px, both languages', async () => {
    const r = await makeUser({ role: 'resident', center: env.ctx.centers.miaoxi!, name: '浏览器工人' });
    const id = await publishedPosting(env.ctx.users.employer!, env.ctx.centers.miaoxi!, {
      headcount: 1,
      dailyHours: '8:00–17:00',
      address: '村委旁灯笼厂',
      contact: '王老板 13800000002',
    });
    const appId = await applications.apply({ id: r.id }, id, { message: '', availability: '' });
    await PostingSlot.create({ _id: `${id}:1`, posting: id, slotNo: 1, application: appId });
    await Application.updateOne({ _id: appId }, { $set: { status: 'accepted', slotNo: 1 } });
    for (const width of [390, 1280]) {
      for (const lang of ['zh-CN', 'en']) {
        const ctx = await env.browser.newContext({ viewport: { width, height: 900 } });
        const page = await ctx.newPage();
        await page.goto(`${env.site.url}/courses?lang=${lang}`);
        await page.click('.course-card h2 a');
        await noSideScroll(page, `course page ${width} ${lang}`);
        await page.screenshot({ path: artifactPath(`ux-course-${width}-${lang}.png`), fullPage: true });
        await browserLogin(page, env.site.url, r.phone);
        await page.goto(`${env.site.url}/me/applications?lang=${lang}`);
        await noSideScroll(page, `applications ${width} ${lang}`);
        assert.ok(await page.locator('[data-hired] a[href^="tel:"]').count());
        await page.screenshot({ path: artifactPath(`ux-hired-${width}-${lang}.png`), fullPage: true });
        await ctx.close();
      }
    }
  });

  it('/me/work at 390 px', async () => {
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    await browserLogin(page, env.site.url, '13800000003');
    for (const lang of ['zh-CN', 'en']) {
      await page.goto(`${env.site.url}/me/work?lang=${lang}`);
      await noSideScroll(page, `me/work ${lang}`);
      await page.screenshot({ path: artifactPath(`ux-mework-390-${lang}.png`), fullPage: true });
    }
    await ctx.close();
  });
});
