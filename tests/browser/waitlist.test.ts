// Waitlist offers in a real browser: a seat frees, the first waiting resident sees the offer with
// its deadline and takes it. Then the offer pages at phone and desktop width in both languages:
// no sideways scrolling at 390 px, no serious accessibility violations, screenshots.
import assert from 'node:assert/strict';
import { withBrowser, browserLogin, artifactPath, pageProblems } from '../helpers/browser.ts';
import { fullCourse, statusOf } from '../courses/offer-helpers.ts';
import { withdraw } from '../../server/courses/service/enrolment.ts';
import { lapseOffers, declineOffer } from '../../server/courses/service/offers.ts';

describe('browser: waitlist offers', function () {
  this.timeout(300_000);
  const env = withBrowser();

  it('the first waiting resident is offered the freed seat and takes it', async () => {
    const { courseId, seated, waiting } = await fullCourse(env.ctx.centers.miaoxi!, 1, 2);
    await withdraw(courseId, seated[0]!.id);
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await browserLogin(page, env.site.url, waiting[0]!.phone);
    await page.goto(`${env.site.url}/me/courses`);
    const offer = page.locator(`[data-offer="${courseId}"]`);
    assert.match(await offer.innerText(), /有空位了/);
    assert.match(await offer.locator('[data-offer-until]').innerText(), /\d{2}:\d{2}/);
    await page.screenshot({ path: artifactPath('waitlist-offer-mine-390-zh-CN.png'), fullPage: true });
    await Promise.all([page.waitForURL((u) => u.pathname === '/me/courses'), offer.locator('form[action$="/offer/accept"] button').click()]);
    assert.match(await page.innerText('main'), /有座位了/);
    assert.equal(await page.locator(`[data-offer="${courseId}"]`).count(), 0);
    assert.equal(await statusOf(courseId, waiting[0]!), 'confirmed');
    assert.equal(await statusOf(courseId, waiting[1]!), 'waitlisted');
    await ctx.close();
  });

  it('shows the offer, the decline question, the staff queue and the course form cleanly at 390 px and 1280 px in both languages', async () => {
    const { courseId, seated, waiting } = await fullCourse(env.ctx.centers.miaoxi!, 3, 5);
    await withdraw(courseId, seated[0]!.id); // offered to waiting[0]
    await lapseOffers(new Date(Date.now() + 25 * 3600_000)); // lapsed; offered to waiting[1]
    await withdraw(courseId, seated[1]!.id); // offered to waiting[2]
    await declineOffer(courseId, waiting[2]!.id); // offered to waiting[3]
    const offered = waiting[1]!;
    const pages: ['resident' | 'staff', string, string][] = [
      ['resident', 'course', `/courses/${courseId}`],
      ['resident', 'mine', '/me/courses'],
      ['staff', 'queue', `/staff/courses/${courseId}`],
      ['staff', 'form', `/staff/courses/${courseId}/edit`],
    ];
    const phones = { resident: offered.phone, staff: '13800000001' };
    const problems: string[] = [];
    for (const width of [390, 1280]) {
      const contexts = new Map<string, Awaited<ReturnType<typeof env.browser.newContext>>>();
      for (const [who, name, url] of [...pages, ['resident', 'decline', ''] as const]) {
        if (!contexts.has(who)) {
          const c = await env.browser.newContext({ viewport: { width, height: 900 } });
          await browserLogin(await c.newPage(), env.site.url, phones[who]);
          contexts.set(who, c);
        }
        for (const lang of ['zh-CN', 'en']) {
          const page = await contexts.get(who)!.newPage();
          const label = `${name} ${lang} ${width}px`;
          page.on('console', (msg) => msg.type() === 'error' && problems.push(`${label}: console: ${msg.text()}`));
          if (name === 'decline') {
            // The confirmation page of "give it to the next person", reached without JavaScript's help.
            await page.goto(`${env.site.url}/courses/${courseId}?lang=${lang}`);
            await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/offer/decline"] button')]);
            assert.equal(await page.locator('[data-confirm="declineOffer"]').count(), 1, label);
          } else {
            const res = await page.goto(`${env.site.url}${url}?lang=${lang}`);
            if (res?.status() !== 200) problems.push(`${label}: status ${res?.status()}`);
          }
          problems.push(
            ...(await pageProblems(page, { label, width, areas: ['waitlist', 'courses', 'confirm'], shot: `waitlist-${name}-${width}-${lang}.png` })),
          );
          await page.close();
        }
      }
      for (const c of contexts.values()) await c.close();
    }
    assert.equal(await statusOf(courseId, offered), 'offered', 'looking at the decline question changed nothing');
    assert.deepEqual(problems, []);
  });
});
