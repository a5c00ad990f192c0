import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { loadConfig } from '../../server/config.ts';
import { createApp } from '../../server/app.ts';
import { TEST_SECRET } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { publishedPosting, verifiedEmployer } from '../gigs/helpers.ts';

/** A tiny browser: keeps cookies, follows nothing by itself, returns as soon as headers arrive. */
function browser(base: string) {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    get: async (path: string) => keep(await fetch(base + path, { headers: { cookie: cookie() }, redirect: 'manual' })),
    post: async (path: string, fields: Record<string, string>) =>
      keep(
        await fetch(base + path, {
          method: 'POST',
          headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields),
          redirect: 'manual',
        }),
      ),
  };
}
const tokenIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

describe('flash messages arrive on the page that follows, not one page late', () => {
  let ctx: SeedContext;
  let server: Server;
  let base: string;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      LOGIN_RATE_LIMIT: '10000',
      REGISTER_RATE_LIMIT: '10000',
      UPLOAD_RATE_LIMIT: '10000',
      SESSION_SECRET: TEST_SECRET,
    });
    const { app, sessionStore } = createApp({ config, logger: pino({ level: 'silent' }), sessionSecret: TEST_SECRET });
    // A slow database write, as on a busy center PC: storing a session takes 300 ms.
    const set = sessionStore.set.bind(sessionStore);
    sessionStore.set = (sid, sess, cb) => void setTimeout(() => set(sid, sess, cb), 300);
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('approving a posting: a browser that follows the redirect at once sees 招工已公开', async () => {
    const emp = await verifiedEmployer(ctx.centers.miaoxi!, '闪讯测试公司');
    const id = await publishedPosting(emp.id, ctx.centers.miaoxi!, { status: 'submitted', publishedAt: null });
    const b = browser(base);
    const login = await b.get('/login');
    const res = await b.post('/login', { phone: '13800000001', password: 'doorstep-demo', _csrf: tokenIn(await login.text()) });
    assert.equal(res.status, 302);
    await res.arrayBuffer();
    const review = await b.get(`/staff/postings/${id}`);
    assert.equal(review.status, 200);
    const approve = await b.post(`/staff/postings/${id}/approve`, { _csrf: tokenIn(await review.text()) });
    assert.equal(approve.status, 302);
    // Follow the Location the moment the headers are in, before the body has finished.
    const next = await b.get(approve.headers.get('location')!);
    assert.match(await next.text(), /招工已公开/);
    await approve.arrayBuffer();
    const after = await (await b.get('/staff/moderation')).text();
    assert.doesNotMatch(after, /招工已公开/, 'shown once, not again on the page after');
  });

  it('registering: a browser that follows the redirect at once finds its number on the login form', async () => {
    const b = browser(base);
    const form = await b.get('/register');
    const phone = `139${String(Date.now()).slice(-8)}`;
    const res = await b.post('/register', {
      _csrf: tokenIn(await form.text()),
      role: 'resident',
      name: '闪讯阿姨',
      phone,
      homeCenter: ctx.centers.miaoxi!,
      password: 'lantern-2026',
      passwordConfirm: 'lantern-2026',
      privacyConsent: 'on',
    });
    assert.equal(res.status, 302);
    const next = await b.get(res.headers.get('location')!);
    const html = await next.text();
    assert.match(html, /注册信息已收到/);
    assert.match(html, new RegExp(`value="${phone}"`), 'the login form has the number just registered');
    await res.arrayBuffer();
  });
});
