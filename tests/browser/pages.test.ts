// Every public page and the main pages of each role, in both languages and at phone and desktop
// width: no console errors, no failed requests, no serious accessibility violations (axe-core),
// and a screenshot of each under tests/artifacts/ to look at.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext } from 'playwright-core';
import { launch, requireBrowser, startSite, artifactPath, browserLogin } from '../helpers/browser.ts';
import { freshDemo } from '../helpers/data.ts';
import { Posting } from '../../models/posting.ts';
import { Course } from '../../models/course.ts';
import { Workshop } from '../../models/workshop.ts';
import { Completion } from '../../models/completion.ts';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
type Who = 'anonymous' | 'resident' | 'employer' | 'staff' | 'admin';
const PHONES: Record<Exclude<Who, 'anonymous'>, string> = { resident: '13800000003', employer: '13800000002', staff: '13800000001', admin: '13800000000' };

describe('browser: every page, both languages, phone and desktop', function () {
  this.timeout(900_000);
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startSite>>;
  const pages: [Who, string, string][] = [];

  before(async function () {
    requireBrowser(this);
    const ctx = await freshDemo();
    site = await startSite();
    browser = await launch();
    const posting = await Posting.findOne({ status: 'published' }, { _id: 1 }).lean();
    const course = await Course.findOne({ status: 'published', center: ctx.centers.miaoxi }, { _id: 1 }).lean();
    const workshop = await Workshop.findOne({ center: ctx.centers.miaoxi }, { _id: 1 }).lean();
    const cert = await Completion.findOne({}, { code: 1 }).lean();
    const m = ctx.centers.miaoxi;
    pages.push(
      ['anonymous', 'home', '/'],
      ['anonymous', 'gigs', '/gigs'],
      ['anonymous', 'gig', `/gigs/${posting!._id}`],
      ['anonymous', 'gig-poster', `/gigs/${posting!._id}/poster`],
      ['anonymous', 'courses', '/courses'],
      ['anonymous', 'course', `/courses/${course!._id}`],
      ['anonymous', 'workshops', '/workshops'],
      ['anonymous', 'workshop', `/workshops/${workshop!._id}`],
      ['anonymous', 'workshop-live', `/workshops/${workshop!._id}/live`],
      ['anonymous', 'centers', '/centers'],
      ['anonymous', 'center', `/centers/${m}`],
      ['anonymous', 'board', `/centers/${m}/board`],
      ['anonymous', 'certificate', `/certificates/${cert!.code}`],
      ['anonymous', 'login', '/login'],
      ['anonymous', 'register', '/register'],
      ['resident', 'resident-home', '/me'],
      ['resident', 'resident-applications', '/me/applications'],
      ['resident', 'resident-courses', '/me/courses'],
      ['resident', 'resident-work', '/me/work'],
      ['resident', 'resident-notifications', '/notifications'],
      ['employer', 'employer-home', '/me'],
      ['employer', 'employer-profile', '/employer/profile'],
      ['employer', 'employer-postings', '/employer/postings'],
      ['employer', 'employer-new-posting', '/employer/postings/new'],
      ['staff', 'staff-desk', '/staff'],
      ['staff', 'staff-moderation', '/staff/moderation'],
      ['staff', 'staff-courses', '/staff/courses'],
      ['staff', 'staff-course', `/staff/courses/${course!._id}`],
      ['staff', 'staff-workshops', '/staff/workshops'],
      ['staff', 'staff-workshop', `/staff/workshops/${workshop!._id}`],
      ['staff', 'staff-reports', '/staff/reports'],
      ['admin', 'admin', '/admin'],
      ['admin', 'admin-staff', '/admin/staff'],
      ['admin', 'admin-audit', '/admin/audit'],
    );
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it('renders each page cleanly', async () => {
    const problems: string[] = [];
    const contexts = new Map<string, BrowserContext>();
    const contextFor = async (who: Who, width: number) => {
      const key = `${who}:${width}`;
      if (!contexts.has(key)) {
        const c = await browser.newContext({ viewport: { width, height: 900 } });
        if (who !== 'anonymous') await browserLogin(await c.newPage(), site.url, PHONES[who]);
        contexts.set(key, c);
      }
      return contexts.get(key)!;
    };
    for (const [who, name, url] of pages) {
      for (const width of [390, 1280]) {
        for (const lang of ['zh-CN', 'en']) {
          const page = await (await contextFor(who, width)).newPage();
          const label = `${name} ${lang} ${width}px`;
          page.on('console', (m) => m.type() === 'error' && problems.push(`${label}: console: ${m.text()}`));
          page.on('requestfailed', (r) => !/socket\.io/.test(r.url()) && problems.push(`${label}: failed ${r.url()}`));
          page.on('response', (r) => r.status() >= 400 && problems.push(`${label}: ${r.status()} ${r.url()}`));
          const res = await page.goto(`${site.url}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`, { waitUntil: 'load' });
          if (res?.status() !== 200) problems.push(`${label}: status ${res?.status()}`);
          if ((await page.getAttribute('html', 'lang')) !== lang) problems.push(`${label}: html lang`);
          const raw = await page.evaluate(() => document.body.innerText.match(/\b[a-z]+(\.[a-zA-Z]+){1,}\b/g)?.filter((s) => /^(app|nav|errors|forms|gigs|courses|workshops|accounts|centers|home|admin|audit|notifications|roles)\./.test(s)) ?? []);
          if (raw.length) problems.push(`${label}: untranslated keys ${raw.join(', ')}`);
          if (width === 1280) {
            await page.evaluate(AXE);
            const serious = await page.evaluate(async () => {
              const r = await (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run({ resultTypes: ['violations'] });
              return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
            });
            if (serious.length) problems.push(`${label}: axe ${serious.join(', ')}`);
          }
          await page.screenshot({ path: artifactPath(`page-${name}-${width}-${lang}.png`), fullPage: true });
          await page.close();
        }
      }
    }
    for (const c of contexts.values()) await c.close();
    assert.deepEqual(problems, []);
  });
});
