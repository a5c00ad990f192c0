import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../server/config.ts';
import { startWebServer } from '../../server/web-server.ts';
import { TEST_SECRET } from './app.ts';
import { freshDemo } from './data.ts';
import type { SeedContext } from '../../server/seed/index.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

/** Skips browser tests where Chromium is missing, unless CI requires them (REQUIRE_BROWSER=1). */
export function requireBrowser(ctx: Mocha.Context): void {
  if (CHROMIUM) return;
  if (process.env.REQUIRE_BROWSER === '1') throw new Error('Chromium is required (apt-get install -y chromium)');
  ctx.skip();
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
    headless: true,
  });
}

/** The full site (HTTP + socket.io) on a random loopback port, on the test database. */
export async function startSite() {
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    LOGIN_RATE_LIMIT: '10000',
    REGISTER_RATE_LIMIT: '10000',
    SESSION_SECRET: TEST_SECRET,
  });
  const web = await startWebServer({ config, logger: pino({ level: 'silent' }), sessionSecret: TEST_SECRET });
  return { url: `http://127.0.0.1:${web.port}`, close: web.close };
}

export async function browserLogin(page: Page, base: string, phone: string, password = 'doorstep-demo'): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#f-phone', phone);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
}

export const ARTIFACTS = path.resolve('tests/artifacts');
export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

export const tmp = os.tmpdir();

export interface BrowserEnv {
  browser: Browser;
  site: Awaited<ReturnType<typeof startSite>>;
  ctx: SeedContext;
}

/**
 * For a browser test file: before its tests, fresh demo data, the full site on a loopback port
 * and a headless Chromium; after them, all closed. Skips where Chromium is missing (see above).
 */
export function withBrowser(): BrowserEnv {
  const env = {} as BrowserEnv;
  before(async function () {
    requireBrowser(this);
    env.ctx = await freshDemo();
    env.site = await startSite();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.site?.close();
  });
  return env;
}

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious or critical accessibility violations on the loaded page, as "rule (count)". */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run({
      resultTypes: ['violations'],
    });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
  });
}

/**
 * The checks every page of a capability gets once loaded: no raw i18n key of its `areas` on the
 * page; at phone width no sideways scrolling; at desktop width no serious accessibility
 * violation. Then a full-page screenshot under tests/artifacts/ to look at.
 */
export async function pageProblems(page: Page, o: { label: string; width: number; areas: readonly string[]; shot: string }): Promise<string[]> {
  const problems: string[] = [];
  const pattern = `\\b(${o.areas.join('|')})\\.[\\w.]+\\b`;
  const raw = await page.evaluate((src) => document.body.innerText.match(new RegExp(src, 'g')) ?? [], pattern);
  if (raw.length) problems.push(`${o.label}: untranslated ${raw.join(', ')}`);
  if (o.width <= 390) {
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (wide > 1) problems.push(`${o.label}: scrolls sideways by ${wide}px`);
  } else {
    const serious = await seriousAxeViolations(page);
    if (serious.length) problems.push(`${o.label}: axe ${serious.join(', ')}`);
  }
  await page.screenshot({ path: artifactPath(o.shot), fullPage: true });
  return problems;
}

/** A page to walk: who looks at it (a key of `phones`, or 'anonymous'), its name for labels, its address. */
export type PageToWalk = readonly [who: string, name: string, url: string];

/**
 * Opens each page as its person at phone and desktop width in both languages, and at phone
 * width in elder mode, with `pageProblems` and a console-error and status check on each.
 * Returns every problem found; screenshots go to tests/artifacts/<shot>-<name>-<mode>-<lang>.png.
 */
export async function walkPages(
  env: BrowserEnv,
  o: { pages: readonly PageToWalk[]; phones: Record<string, string>; areas: readonly string[]; shot: string },
): Promise<string[]> {
  const problems: string[] = [];
  for (const mode of [
    { width: 390, elder: false },
    { width: 1280, elder: false },
    { width: 390, elder: true },
  ]) {
    const contexts = new Map<string, Awaited<ReturnType<Browser['newContext']>>>();
    const tag = `${mode.width}${mode.elder ? '-elder' : ''}`;
    for (const [who, name, url] of o.pages) {
      let c = contexts.get(who);
      if (!c) {
        c = await env.browser.newContext({ viewport: { width: mode.width, height: 900 } });
        if (mode.elder) await c.addCookies([{ name: 'elder', value: '1', url: env.site.url }]);
        if (who !== 'anonymous') await browserLogin(await c.newPage(), env.site.url, o.phones[who]!);
        contexts.set(who, c);
      }
      for (const lang of ['zh-CN', 'en']) {
        const page = await c.newPage();
        const label = `${name} ${lang} ${tag}px`;
        page.on('console', (msg) => msg.type() === 'error' && problems.push(`${label}: console: ${msg.text()}`));
        const res = await page.goto(`${env.site.url}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
        if (res?.status() !== 200) problems.push(`${label}: status ${res?.status()}`);
        if (mode.elder && !(await page.evaluate(() => document.documentElement.classList.contains('elder')))) problems.push(`${label}: not in elder mode`);
        problems.push(...(await pageProblems(page, { label, width: mode.width, areas: o.areas, shot: `${o.shot}-${name}-${tag}-${lang}.png` })));
        await page.close();
      }
    }
    for (const ctx of contexts.values()) await ctx.close();
  }
  return problems;
}
