// Job alerts in a real browser: a resident filters the gig list, saves it as an alert in one
// tap, staff approve a matching posting, and the resident's bell counts it live; then the pages
// involved at phone and desktop width in both languages, with screenshots to look at.
import assert from 'node:assert/strict';
import { artifactPath, browserLogin, withBrowser } from '../helpers/browser.ts';
import { createPosting } from '../../server/gigs/service/postings.ts';
import { submitPosting } from '../../server/gigs/service/lifecycle.ts';
import { sessionUser } from '../../server/accounts/service.ts';
import { postingSchema } from '../../server/gigs/schemas.ts';
import { postingFields } from '../gigs/helpers.ts';
import { JobAlert } from '../../models/job-alert.ts';

const RESIDENT = '13800000003';

describe('browser: job alerts', function () {
  this.timeout(180_000);
  const env = withBrowser();

  it('filter → save alert → staff approve a matching posting → the resident is told live', async () => {
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const phone = await ctx.newPage();
    const errors: string[] = [];
    phone.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await browserLogin(phone, env.site.url, RESIDENT);
    await phone.goto(`${env.site.url}/gigs`);
    assert.equal(await phone.locator('[data-alert-offer]').count(), 0, 'no offer before any filter');
    await phone.click('.gig-filters summary');
    await phone.selectOption('#f-center', env.ctx.centers.dongcheng!);
    await phone.selectOption('#f-category', 'handicraft');
    await Promise.all([phone.waitForURL(/category=handicraft/), phone.click('form.gig-search button[type=submit]')]);
    await Promise.all([phone.waitForURL(/\/gigs\?/), phone.click('[data-alert-offer] button[type=submit]')]);
    assert.match((await phone.textContent('.flash')) ?? '', /已保存/);
    const alert = await JobAlert.findOne({ center: env.ctx.centers.dongcheng, category: 'handicraft' }).lean();
    assert.ok(alert, 'the alert is saved');

    await phone.goto(`${env.site.url}/me`);
    assert.match((await phone.textContent('[data-job-alerts]')) ?? '', /东塍镇党群服务中心及下属各村/);
    await phone.waitForFunction(() => (window as unknown as { io?: unknown }).io !== undefined);
    await phone.waitForTimeout(500); // socket connected
    const before = Number((await phone.textContent('[data-unread]')) || 0);

    const employer = (await sessionUser(env.ctx.users.employer!))!;
    const input = postingSchema.parse(postingFields(env.ctx.centers.miaoxi!, { title: '花灯骨架扎制', category: 'handicraft', payType: 'piece', pay: '1.2' }));
    const created = await createPosting(employer, input, []);
    assert.ok(created.ok, JSON.stringify(created));
    await submitPosting(employer, created.id);
    const staff = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await browserLogin(staff, env.site.url, '13800000001');
    await staff.goto(`${env.site.url}/staff/postings/${created.id}`);
    await Promise.all([staff.waitForNavigation(), staff.click(`form[action="/staff/postings/${created.id}/approve"] button`)]);

    await phone.waitForFunction((n) => Number(document.querySelector('[data-unread]')?.textContent || 0) === n + 1, before, { timeout: 10_000 });
    await phone.goto(`${env.site.url}/notifications`);
    assert.match((await phone.textContent('main')) ?? '', /有符合您提醒条件的新工作：“花灯骨架扎制”/);
    await phone.screenshot({ path: artifactPath('alerts-notified-phone-zh.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  it('shows the offer, the alerts on /me and the delete confirmation without sideways scrolling, phone and desktop, both languages', async () => {
    const alert = (await JobAlert.findOne({ category: 'handicraft' }).lean())!;
    for (const width of [390, 1280]) {
      for (const lang of ['zh-CN', 'en']) {
        const ctx = await env.browser.newContext({ viewport: { width, height: 900 } });
        const page = await ctx.newPage();
        await browserLogin(page, env.site.url, RESIDENT);
        const shots: [string, string][] = [
          ['gigs', `/gigs?center=${env.ctx.centers.dongcheng}&category=handicraft&minPay=100&lang=${lang}`],
          ['me', `/me?lang=${lang}`],
        ];
        for (const [name, url] of shots) {
          await page.goto(`${env.site.url}${url}`);
          const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(wide <= 0, `${name} at ${width} px (${lang}) scrolls sideways by ${wide}px`);
          await page.screenshot({ path: artifactPath(`alerts-${name}-${width}-${lang}.png`), fullPage: true });
        }
        // Delete asks first, on its own page, and the button looks like a destructive one.
        await Promise.all([page.waitForLoadState(), page.click(`form[action="/me/alerts/${alert._id}/delete"] button`)]);
        await page.waitForSelector('[data-confirm="alerts.confirmDelete"]');
        await page.screenshot({ path: artifactPath(`alerts-confirm-${width}-${lang}.png`), fullPage: true });
        assert.ok(await JobAlert.exists({ _id: alert._id }), 'still there until confirmed');
        await ctx.close();
      }
    }
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    await page.goto(`${env.site.url}/gigs?category=handicraft`);
    await page.screenshot({ path: artifactPath('alerts-gigs-visitor-390.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/login/), page.click('[data-alert-offer] a')]);
    await page.fill('#f-phone', RESIDENT);
    await page.fill('#f-password', 'doorstep-demo');
    await Promise.all([page.waitForURL(/\/gigs\?category=handicraft/), page.click('form[action="/login"] button[type=submit]')]);
    assert.equal(await page.locator('[data-alert-offer] form').count(), 1, 'back on the same list, now with the button');
    await ctx.close();
  });
});
