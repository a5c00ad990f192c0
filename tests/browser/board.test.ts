// The lobby TV board (/centers/:id/board) on a TV: at 1920x1080 and 1280x720 it fits the screen
// without scrolling, shows every card of its page whole in view, keeps the QR code and the center's
// phone on screen, and pages by itself (a meta refresh to ?page=N+1 without JavaScript).
import assert from 'node:assert/strict';
import { withBrowser, artifactPath } from '../helpers/browser.ts';
import { publishedPosting } from '../gigs/helpers.ts';

describe('browser: the lobby board fits a TV', function () {
  this.timeout(180_000);
  const env = withBrowser();
  let url = '';

  before(async () => {
    // Eight postings at Miaoxi on top of the demo data: more than one page of six.
    const m = env.ctx.centers.miaoxi!;
    for (let i = 0; i < 8; i++)
      await publishedPosting(env.ctx.users.employer!, m, {
        title: `大屏测试岗位${i}：很长很长的岗位名称用来测试换行`,
        suitability: ['older', 'light', 'near'],
      });
    url = `${env.site.url}/centers/${m}/board`;
  });

  for (const [width, height] of [
    [1920, 1080],
    [1280, 720],
  ] as const) {
    for (const js of [true, false]) {
      it(`${width}x${height}${js ? '' : ' without JavaScript'}: one screen, cards whole, QR and phone in view, pages on`, async () => {
        const context = await env.browser.newContext({ viewport: { width, height }, javaScriptEnabled: js });
        const page = await context.newPage();
        await page.goto(`${url}?lang=zh-CN`, { waitUntil: 'load' });
        const m = await page.evaluate(() => {
          const inView = (el: Element | null) => {
            if (!el) return false;
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5 && r.right <= innerWidth + 0.5;
          };
          const cards = [...document.querySelectorAll('.board-card')].filter((c) => !(c as HTMLElement).hidden);
          return {
            scrollW: document.documentElement.scrollWidth,
            scrollH: document.documentElement.scrollHeight,
            cards: cards.length,
            cardsInView: cards.filter(inView).length,
            cardQrsInView: cards.filter((c) => inView(c.querySelector('.qr svg'))).length,
            listQr: inView(document.querySelector('.board-foot .qr svg')),
            phone: inView(document.querySelector('.board-phone')),
            phoneText: document.querySelector('.board-phone')?.textContent ?? '',
            status: document.querySelector('[data-board-page]')?.textContent ?? '',
            // Parsed as an element only where scripting is off (inside <noscript>).
            refresh: document.querySelector('meta[http-equiv="refresh"]')?.getAttribute('content') ?? '',
          };
        });
        await page.screenshot({ path: artifactPath(`board-${width}x${height}${js ? '' : '-nojs'}.png`) });
        assert.ok(m.scrollW <= width && m.scrollH <= height, `no scrolling: ${m.scrollW}x${m.scrollH}`);
        assert.equal(m.cards, 6, 'six cards on a page');
        assert.equal(m.cardsInView, 6, 'every card of the page whole on screen');
        assert.equal(m.cardQrsInView, 6, "each card's QR code on screen");
        assert.ok(m.listQr, 'the QR code for the whole list on screen');
        assert.ok(m.phone, 'the center phone on screen');
        assert.match(m.phoneText, /0576-85110001|\d{3,4}-\d{7,8}/);
        assert.match(m.status, /第 1\/\d 页/);
        assert.doesNotMatch(m.status, /第 1\/1 页/, 'more than one page');
        if (!js) {
          // Without JavaScript the page refreshes itself onto the next page, and wraps around.
          assert.match(m.refresh, /url=\/centers\/[a-f\d]{24}\/board\?page=2/);
          await page.goto(`${url}?page=2&lang=zh-CN`, { waitUntil: 'load' });
          const second = await page.evaluate(() => ({
            status: document.querySelector('[data-board-page]')?.textContent ?? '',
            h: document.documentElement.scrollHeight,
          }));
          assert.match(second.status, /第 2\/\d 页/);
          assert.ok(second.h <= height);
        }
        await context.close();
      });
    }
  }

  it('with JavaScript it turns the page by itself', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(`${url}?lang=zh-CN`, { waitUntil: 'load' });
    const first = await page.$$eval('.board-card:not([hidden])', (cs) => cs.map((c) => c.getAttribute('data-posting-id')));
    await page.clock.runFor(11_000);
    const status = await page.textContent('[data-board-page]');
    const second = await page.$$eval('.board-card:not([hidden])', (cs) => cs.map((c) => c.getAttribute('data-posting-id')));
    assert.match(status ?? '', /第 2\/\d 页/);
    assert.notDeepEqual(second, first);
    await context.close();
  });
});
