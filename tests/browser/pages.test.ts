// Every public page and the main pages of each role, in both languages and at phone and desktop
// width: no console errors, no failed requests, no serious accessibility violations (axe-core),
// and a screenshot of each under tests/artifacts/ to look at. At 390 px, in standard and elder mode
// and both languages: no page scrolls sideways, no amount of money or phone number breaks across
// lines, and every destructive (.danger) button leads to a confirmation page, not to the action.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext } from 'playwright-core';
import { launch, requireBrowser, startSite, artifactPath, browserLogin, seriousAxeViolations } from '../helpers/browser.ts';
import { freshDemo } from '../helpers/data.ts';
import { Posting } from '../../models/posting.ts';
import { Course } from '../../models/course.ts';
import { Workshop } from '../../models/workshop.ts';
import { Completion } from '../../models/completion.ts';
import { PayPeriod } from '../../models/pay-period.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import { publishedPosting } from '../gigs/helpers.ts';

type Who = 'anonymous' | 'resident' | 'lowIncome' | 'employer' | 'staff' | 'admin';
const PHONES: Record<Exclude<Who, 'anonymous'>, string> = {
  resident: '13800000003',
  lowIncome: '13800000004',
  employer: '13800000002',
  staff: '13800000001',
  admin: '13800000000',
};

/** What a phone screen must never show: sideways scrolling, money or a phone number split in two. */
function layoutProblems(): string[] {
  const out: string[] = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) out.push(`scrolls sideways (${root.scrollWidth} > ${root.clientWidth})`);
  for (const el of document.querySelectorAll('.money, .phone')) {
    if (el.getClientRects().length > 1) out.push(`split across lines: "${el.textContent}"`);
  }
  return out;
}

describe('browser: every page, both languages, phone and desktop', function () {
  this.timeout(1_800_000);
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
    const period = await PayPeriod.findOne({ workshop: workshop!._id }, { month: 1 }).lean();
    // A posting with a 400-character unbroken string once made a page 4,343 px wide.
    const long = await publishedPosting(ctx.users.employer!, m!, { title: `长${'灯'.repeat(59)}`, description: 'x'.repeat(400), address: 'y'.repeat(200) });
    // Its applicant list (phone numbers, statuses) on a phone, and one more for My applications.
    await applications.apply({ id: ctx.users.lowIncome! } as Express.User, long, { message: 'z'.repeat(200), availability: '周一到周五上午' });
    await applications.apply({ id: ctx.users.resident! } as Express.User, long, { message: '', availability: '' });
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
      ['anonymous', 'gig-long', `/gigs/${long}`],
      ['lowIncome', 'low-income-work', '/me/work'],
      ['lowIncome', 'low-income-statement', `/me/work/${workshop!._id}/periods/${period!.month}`],
      ['lowIncome', 'low-income-history', `/me/work/${workshop!._id}/history`],
      ['employer', 'employer-applicants', `/employer/postings/${long}`],
      ['staff', 'staff-ledger', `/staff/workshops/${workshop!._id}/ledger`],
      ['staff', 'staff-period', `/staff/workshops/${workshop!._id}/periods/${period!.month}`],
      ['staff', 'staff-orders', `/staff/workshops/${workshop!._id}/orders`],
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
          const raw = await page.evaluate(
            () =>
              document.body.innerText
                .match(/\b[a-z]+(\.[a-zA-Z]+){1,}\b/g)
                ?.filter((s) => /^(app|nav|errors|forms|gigs|courses|workshops|accounts|centers|home|admin|audit|notifications|roles)\./.test(s)) ?? [],
          );
          if (raw.length) problems.push(`${label}: untranslated keys ${raw.join(', ')}`);
          if (width === 390) for (const p of await page.evaluate(layoutProblems)) problems.push(`${label}: ${p}`);
          if (width === 1280) {
            const serious = await seriousAxeViolations(page);
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

  it('in elder mode at 390 px: no sideways scrolling, nothing split, every destructive button asks first', async () => {
    const problems: string[] = [];
    const asked = new Set<string>();
    const contexts = new Map<Who, BrowserContext>();
    for (const [who, name, url] of pages) {
      if (!contexts.has(who)) {
        const c = await browser.newContext({ viewport: { width: 390, height: 844 } });
        if (who !== 'anonymous') await browserLogin(await c.newPage(), site.url, PHONES[who]);
        await c.addCookies([{ name: 'elder', value: '1', url: site.url }]);
        contexts.set(who, c);
      }
      const ctx = contexts.get(who)!;
      for (const lang of ['zh-CN', 'en']) {
        const page = await ctx.newPage();
        const label = `${name} ${lang} elder`;
        const full = `${site.url}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`;
        await page.goto(full, { waitUntil: 'load' });
        if (!(await page.evaluate(() => document.documentElement.classList.contains('elder'))) && !/board|poster/.test(name))
          problems.push(`${label}: not in elder mode`);
        for (const p of await page.evaluate(layoutProblems)) problems.push(`${label}: ${p}`);
        if (name === 'low-income-work') await page.screenshot({ path: artifactPath(`elder-${name}-390-${lang}.png`), fullPage: false });
        // Each kind of destructive button (once per action, ids masked) must land on a confirmation page.
        const actions = await page.$$eval('form:has(.danger)', (fs) => fs.map((f) => f.getAttribute('action') ?? ''));
        for (const [i, action] of actions.entries()) {
          const kind = action.replace(/[a-f\d]{24}/g, ':id');
          if (asked.has(kind)) continue;
          asked.add(kind);
          await Promise.all([
            page.waitForNavigation({ waitUntil: 'load' }),
            page.evaluate((n) => {
              const f = document.querySelectorAll<HTMLFormElement>('form:has(.danger)')[n]!;
              f.requestSubmit(f.querySelector<HTMLButtonElement>('.danger'));
            }, i),
          ]);
          if (!(await page.locator('[data-confirm]').count())) problems.push(`${label}: ${kind} acted without asking`);
          for (const p of await page.evaluate(layoutProblems)) problems.push(`${label} confirmation ${kind}: ${p}`);
          await page.goto(full, { waitUntil: 'load' });
        }
        await page.close();
      }
    }
    for (const c of contexts.values()) await c.close();
    assert.ok(asked.size >= 3, `destructive buttons found: ${[...asked].join(', ')}`);
    assert.deepEqual(problems, []);
  });
});
