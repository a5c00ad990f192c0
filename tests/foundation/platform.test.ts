import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { agent, loggedIn, makeApp } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { loadConfig, ConfigError } from '../../server/config.ts';
import { pickLang, translator, unmemoized } from '../../server/i18n/index.ts';
import { clockTime, dayKey, dayStart, formatMoney, TIME_ZONE, yuanDigits, yuanToFen } from '../../server/lib/format.ts';
import { safeReturnTo } from '../../server/lib/safe-redirect.ts';

/** Every string of a language's catalogs, as [key, text], keys as pages use them. */
function catalogStrings(lang: string): [string, string][] {
  const flat = (o: unknown, p: string): [string, string][] =>
    o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => flat(v, `${p}.${k}`)) : [[p, String(o)]];
  const dir = path.resolve('server/i18n', lang);
  return fs.readdirSync(dir).flatMap((f) => flat(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), f.replace('.json', '')));
}

describe('platform', () => {
  before(async () => {
    await freshDemo();
  });

  describe('health', () => {
    it('/healthz answers JSON without touching the session', async () => {
      const res = await agent().get('/healthz');
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'ok');
      assert.equal(res.headers['set-cookie'], undefined);
    });
    it('/readyz pings the database', async () => {
      const res = await agent().get('/readyz');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ready', database: 'up' });
    });
  });

  describe('static files', () => {
    it('serves every file under public/ at its path, without a session', async () => {
      const root = path.resolve(import.meta.dirname, '../../public');
      const files = fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
      assert.ok(files.length >= 5);
      for (const f of files) {
        const url = `/${path.relative(root, path.join(f.parentPath, f.name)).split(path.sep).join('/')}`;
        const res = await agent().get(url);
        assert.equal(res.status, 200, url);
        assert.equal(res.headers['set-cookie'], undefined, url);
      }
      assert.equal((await agent().get('/css/none.css')).status, 404);
    });
  });

  describe('security headers', () => {
    it('sends a strict CSP and no X-Powered-By', async () => {
      const res = await agent().get('/');
      const csp = res.headers['content-security-policy']!;
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-powered-by'], undefined);
      assert.doesNotMatch(res.text, /<script>(?!<\/script>)/, 'no inline scripts');
    });
    it('sets HttpOnly SameSite session cookies', async () => {
      const ag = agent();
      const res = await (await import('../helpers/app.ts')).login(ag, '13800000003');
      const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('doorstep.sid'))!;
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
    });
  });

  describe('languages', () => {
    it('defaults to zh-CN', async () => {
      const res = await agent().get('/');
      assert.match(res.text, /<html lang="zh-CN">/);
      assert.match(res.text, /找零工/);
    });
    it('switches with ?lang= and remembers it in a cookie', async () => {
      const ag = agent();
      const en = await ag.get('/?lang=en');
      assert.match(en.text, /<html lang="en">/);
      assert.match(en.text, /Find odd jobs/);
      const again = await ag.get('/centers');
      assert.match(again.text, /<html lang="en">/);
      const back = await ag.get('/?lang=zh-CN');
      assert.match(back.text, /<html lang="zh-CN">/);
    });
    it('follows Accept-Language when nothing else is set', async () => {
      const res = await agent().get('/').set('Accept-Language', 'en-US,en;q=0.9');
      assert.match(res.text, /<html lang="en">/);
      assert.equal(pickLang(undefined, 'en', 'zh-CN'), 'en', 'cookie beats header');
      assert.equal(pickLang('zh-CN', 'en', 'en'), 'zh-CN', 'query beats cookie');
      assert.equal(pickLang('fr', undefined, 'fr-FR'), 'zh-CN');
    });
    it('has the same keys in both catalogs', () => {
      const keys = (lang: string) =>
        catalogStrings(lang)
          .map(([k]) => k)
          .sort();
      assert.deepEqual(keys('en'), keys('zh-CN'));
    });
    it('fills in placeholders exactly as i18next does, for every string in both catalogs', () => {
      let checked = 0;
      for (const lang of ['zh-CN', 'en'] as const) {
        for (const [key, text] of catalogStrings(lang)) {
          const names = [...text.matchAll(/\{\{-?\s*(\w+)/g)].map((m) => m[1]!);
          // Every value kind a page passes: a word, a number, markup-like text; and one left out.
          const values = Object.fromEntries(names.map((n, i) => [n, i % 2 ? 42 : '<b>甲&乙</b>']));
          const partial = Object.fromEntries(names.slice(1).map((n) => [n, 'x']));
          for (const v of [values, partial, {}]) {
            assert.equal(translator(lang)(key, v), unmemoized(lang)(key, v), `${lang} ${key} ${JSON.stringify(v)}`);
            checked += 1;
          }
        }
      }
      assert.ok(checked > 1000, `checked ${checked}`);
      // Nested strings: the placeholder picks which string is nested.
      assert.match(translator('zh-CN')('gigs.errors.transition', { from: 'draft', to: 'published' }), /草稿/);
      assert.equal(
        translator('en')('gigs.errors.transition', { from: 'draft', to: 'published' }),
        unmemoized('en')('gigs.errors.transition', { from: 'draft', to: 'published' }),
      );
    });
    it('formats money from integer fen per language', () => {
      assert.equal(formatMoney(1250, 'zh-CN'), '¥12.50');
      assert.equal(formatMoney(1250, 'en'), '¥12.50');
      assert.equal(yuanToFen('12.5'), 1250);
      assert.equal(yuanToFen('0.07'), 7);
      assert.equal(yuanToFen('1.234'), undefined);
      assert.equal(yuanToFen('-3'), undefined);
    });
    it('writes plain yuan for forms and CSV, negatives included (a -0.50 correction)', () => {
      assert.equal(yuanDigits(1250), '12.50');
      assert.equal(yuanDigits(7), '0.07');
      assert.equal(yuanDigits(-50), '-0.50');
      assert.equal(yuanDigits(-123456), '-1234.56');
      assert.equal(formatMoney(-50, 'zh-CN'), '-¥0.50');
    });
    it("gives the center's day, its start and clock as Intl does in its time zone, every 37 minutes over two years", () => {
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
      const clock = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      let checked = 0;
      for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2027, 0, 1); t += 37 * 60_000) {
        const d = new Date(t);
        assert.equal(dayKey(d), day.format(d), d.toISOString());
        assert.equal(clockTime(d), clock.format(d), d.toISOString());
        // The day's start is at or before the instant, and a minute earlier is the day before.
        const start = dayStart(dayKey(d));
        assert.ok(start <= d && dayKey(start) === dayKey(d) && dayKey(new Date(start.getTime() - 60_000)) !== dayKey(d), d.toISOString());
        checked += 1;
      }
      assert.ok(checked > 28_000);
      assert.equal(dayKey(new Date('2026-12-01T16:00:00Z')), '2026-12-02', 'midnight in the center is 16:00 UTC');
      assert.equal(clockTime(new Date('2026-12-01T15:59:00Z')), '23:59');
      assert.equal(dayStart('2026-12-02').toISOString(), '2026-12-01T16:00:00.000Z');
    });
  });

  describe('elder mode', () => {
    it('persists a larger-text preference without JavaScript', async () => {
      const ag = agent();
      const res = await ag.get('/prefs/elder?on=1&returnTo=/centers');
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, '/centers');
      const page = await ag.get('/centers');
      assert.match(page.text, /<html lang="zh-CN" class="elder">/);
      const offsite = await ag.get('/prefs/elder?on=0&returnTo=https://evil.example');
      assert.equal(offsite.headers.location, '/');
    });
  });

  describe('errors', () => {
    it('renders a localized 404 page', async () => {
      const res = await agent().get('/no-such-page?lang=en');
      assert.equal(res.status, 404);
      assert.match(res.text, /Page not found/);
    });
    it('answers JSON clients with JSON errors', async () => {
      const res = await agent().get('/no-such-page').set('Accept', 'application/json');
      assert.equal(res.status, 404);
      assert.equal(res.body.error.status, 404);
    });
    it('rejects arrays and operators where strings belong with a 4xx, not a 500', async () => {
      const ag = await loggedIn('13800000003');
      const page = await ag.get('/profile');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const res = await ag
        .post('/profile')
        .type('form')
        .send(`_csrf=${encodeURIComponent(token)}&name[$gt]=&name=a&name=b&homeCenter[$ne]=x`);
      assert.equal(res.status, 400);
    });
  });

  describe('config', () => {
    it('accepts an empty environment with defaults', () => {
      const c = loadConfig({});
      assert.equal(c.PORT, 3000);
      assert.equal(c.DATA_DIR, 'data');
    });
    for (const [name, value] of [
      ['PORT', 'seventy'],
      ['PORT', '70000'],
      ['MONGODB_URI', 'postgres://x'],
      ['REDIS_URL', 'http://x'],
      ['LOG_LEVEL', 'loud'],
      ['SESSION_SECRET', 'short'],
      ['NODE_ENV', 'staging'],
    ]) {
      it(`rejects ${name}=${value} naming the variable`, () => {
        assert.throws(
          () => loadConfig({ [name!]: value }),
          (err: Error) => err instanceof ConfigError && err.message.includes(name!),
        );
      });
    }
    it('compiles templates once under the settings `npm start` uses; only TEMPLATE_RELOAD=1 re-reads them', () => {
      const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
      assert.doesNotMatch(pkg.scripts.start!, /TEMPLATE_RELOAD|NODE_ENV/);
      assert.equal(makeApp({ NODE_ENV: 'development' }).app.enabled('view cache'), true);
      assert.equal(makeApp({ NODE_ENV: 'development', TEMPLATE_RELOAD: '1' }).app.enabled('view cache'), false);
      assert.match(pkg.scripts.dev!, /TEMPLATE_RELOAD=1/);
    });
    it('requires SESSION_SECRET in production', () => {
      assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /SESSION_SECRET/);
      assert.ok(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://doorstep.example' }));
    });
  });

  it('only redirects to same-site paths', () => {
    assert.equal(safeReturnTo('/gigs?x=1'), '/gigs?x=1');
    for (const bad of ['//evil.com', 'https://evil.com', '/\\evil.com', 'javascript:alert(1)', '/a\nb']) assert.equal(safeReturnTo(bad), '/');
  });
});

describe('database: a malformed reply from the engine', () => {
  it('is read again for queries, and never repeated for writes', async () => {
    const mongoose = (await import('mongoose')).default;
    const { Center } = await import('../../models/center.ts');
    const malformed = () => new mongoose.mongo.MongoUnexpectedServerResponseError('BSON element "cursor" is missing');
    const coll = Center.collection as unknown as Record<string, (...a: unknown[]) => unknown>;
    const calls = { findOne: 0, updateOne: 0 };
    for (const name of ['findOne', 'updateOne'] as const) {
      const real = coll[name]!;
      coll[name] = function (this: unknown, ...args: unknown[]) {
        calls[name] += 1;
        if (calls[name] === 1) throw malformed();
        return real.apply(this, args);
      };
    }
    try {
      const c = await Center.findOne({}).lean();
      assert.ok(c, 'the read succeeded on its second attempt');
      assert.equal(calls.findOne, 2);
      await assert.rejects(Center.updateOne({ _id: c._id }, { $set: { name: c.name } }), /cursor/);
      assert.equal(calls.updateOne, 1, 'a write is not repeated');
    } finally {
      delete coll.findOne;
      delete coll.updateOne;
    }
  });
});

describe('templates', () => {
  it('write no Chinese punctuation of their own (it would show on English pages; use app.colon / app.comma)', () => {
    const root = path.resolve('views');
    const bad: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else {
          const text = fs.readFileSync(p, 'utf8').replace(/\{\{!--[\s\S]*?--\}\}/g, '');
          for (const [i, line] of text.split('\n').entries()) if (/[：，。；（）]/.test(line)) bad.push(`${path.relative(root, p)}:${i + 1}`);
        }
      }
    };
    walk(root);
    assert.deepEqual(bad, []);
  });
});

describe('catalog coverage', () => {
  it('has every key that templates and code name literally, in both languages', () => {
    const used = new Map<string, string>();
    const scan = (dir: string, patterns: RegExp[]) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) scan(p, patterns);
        else if (/\.(hbs|ts)$/.test(p)) for (const re of patterns) for (const m of fs.readFileSync(p, 'utf8').matchAll(re)) used.set(m[1]!, p);
      }
    };
    scan(path.resolve('views'), [/\{\{t "([\w.]+)"/g, /\(t "([\w.]+)"/g]);
    scan(path.resolve('server'), [
      /\bt\('([a-z]\w*\.[\w.]+)'/g,
      /flash\(req, '\w+', '([\w.]+)'/g,
      /Refusal\('[\w-]+', '([\w.]+)'/g,
      /HttpError\(\d+, '([\w.]+)'/g,
    ]);
    assert.ok(used.size > 500, `found ${used.size} keys: the scan itself works`);
    const missing = (['zh-CN', 'en'] as const).flatMap((lang) => [...used].filter(([k]) => translator(lang)(k) === k).map(([k, p]) => `${lang} ${k} (${p})`));
    assert.deepEqual(missing, []);
  });
});

describe('wiring', () => {
  it('registers file access and live-room rules in app.ts and jobs in main.ts only (importing a module does no work)', () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !['server/app.ts', 'server/main.ts'].includes(path.relative('.', p))) {
          for (const line of fs.readFileSync(p, 'utf8').split('\n'))
            if (/^\s*(registerFileAccess|registerRoomPolicy)\(|\bjobs\.push\(/.test(line)) found.push(`${path.relative('.', p)}: ${line.trim()}`);
        }
      }
    };
    walk(path.resolve('server'));
    assert.deepEqual(found, []);
    assert.match(fs.readFileSync('server/app.ts', 'utf8'), /registerFileAccess\('posting'/);
    assert.match(fs.readFileSync('server/main.ts', 'utf8'), /startSchedulers\(logger, jobs\)/);
  });
});
