import assert from 'node:assert/strict';
import request from 'supertest';
import { agent, app, csrfFrom, loggedIn, login, makeApp } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { loadConfig } from '../../server/config.ts';
import { cleanFileName } from '../../server/files/upload.ts';
import { Completion } from '../../models/completion.ts';
import { PayPeriod } from '../../models/pay-period.ts';
import { Workshop } from '../../models/workshop.ts';
import type { SeedContext } from '../../server/seed/index.ts';

// Issue 14, findings 6, 7, 8 and 10.
describe('security: CSRF per session, absolute URLs, links, caching (issue 14 #6 #7 #8 #10)', function () {
  this.timeout(60_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  describe('#6 CSRF tokens belong to a login session', () => {
    it('refuses a token (and its cookie) from before logout in a new session of the same user', async () => {
      const ag = await loggedIn('13800000003');
      const old = csrfFrom((await ag.get('/profile')).text);
      const out = await ag.post('/logout').type('form').send({ _csrf: old });
      assert.equal(out.status, 302);
      const res0 = await login(ag, '13800000003');
      const sid = (res0.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('doorstep.sid='))!.split(';')[0]!;
      const profile = { name: '金士媖', email: '', homeCenter: ctx.centers.miaoxi!, skills: '', birthYear: '' };
      // The double-submit cookie of csrf-csrf is the token itself: replay both with the new session.
      const res = await request(app())
        .post('/profile')
        .set('Cookie', `${sid}; doorstep.csrf=${old}`)
        .type('form')
        .send({ _csrf: old, ...profile });
      assert.equal(res.status, 403);
      // A fresh token in the new session works.
      const fresh = csrfFrom((await ag.get('/profile')).text);
      assert.notEqual(fresh, old);
      const ok = await ag
        .post('/profile')
        .type('form')
        .send({ _csrf: fresh, name: '金士媖', email: '', homeCenter: ctx.centers.miaoxi!, skills: '', birthYear: '' });
      assert.equal(ok.status, 302);
    });

    it('rotates the CSRF cookie at login and at logout', async () => {
      const ag = agent();
      const page = await ag.get('/login');
      const res = await ag
        .post('/login')
        .type('form')
        .send({ phone: '13800000003', password: 'doorstep-demo', _csrf: csrfFrom(page.text) });
      const cleared = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('doorstep.csrf='));
      assert.ok(cleared && /Expires=Thu, 01 Jan 1970/.test(cleared), 'login clears the CSRF cookie');
      const token = csrfFrom((await ag.get('/profile')).text);
      const out = await ag.post('/logout').type('form').send({ _csrf: token });
      assert.ok(
        (out.headers['set-cookie'] as unknown as string[]).some((c) => c.startsWith('doorstep.csrf=;')),
        'logout clears it too',
      );
    });
  });

  describe('#7 absolute URLs come from PUBLIC_URL, never the Host header', () => {
    it('refuses to start in production without PUBLIC_URL', () => {
      assert.throws(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) }), /PUBLIC_URL/);
      assert.ok(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://doorstep.example' }));
    });

    it('uses PUBLIC_URL, or the listening address in development, for certificate links', async () => {
      const c = (await Completion.findOne({}).lean())!;
      const dev = await request(makeApp().app).get(`/certificates/${c.code}`).set('Host', 'evil.example');
      assert.equal(dev.status, 200);
      assert.doesNotMatch(dev.text, /evil\.example/);
      assert.match(dev.text, /http:\/\/127\.0\.0\.1:3000\/certificates\//);
      const configured = await request(makeApp({ PUBLIC_URL: 'https://doorstep.example' }).app)
        .get(`/certificates/${c.code}`)
        .set('Host', 'evil.example');
      assert.match(configured.text, /https:\/\/doorstep\.example\/certificates\//);
      assert.doesNotMatch(configured.text, /evil\.example/);
    });
  });

  describe('#8 links on the 404 page', () => {
    it('never renders an off-site link for a path like //evil.example/x', async () => {
      for (const path of ['//evil.example/x', '//evil.example/x?lang=en', '/\\evil.example/x']) {
        const res = await agent().get(path);
        assert.equal(res.status, 404, path);
        assert.doesNotMatch(res.text, /href="\/\/evil|href="\/\\|returnTo=\/\/evil/, path);
      }
    });
  });

  describe('#10 caching, upload names, inactive boards', () => {
    it('sends Cache-Control: no-store on logged-in pages, statements and the pay CSV', async () => {
      const staff = await loggedIn('13800000001');
      const resident = await loggedIn('13800000003');
      const p = (await PayPeriod.findOne({}).lean())!;
      const worker = String(p.statements[0]!.worker);
      const urls: [typeof staff, string][] = [
        [resident, '/profile'],
        [resident, '/me'],
        [resident, '/me/work'],
        [resident, '/gigs'],
        [staff, '/staff'],
        [staff, `/staff/workshops/${String(p.workshop)}/periods/${p.month}`],
        [staff, `/staff/workshops/${String(p.workshop)}/periods/${p.month}/export.csv`],
        [staff, `/staff/workshops/${String(p.workshop)}/periods/${p.month}/statements/${worker}`],
      ];
      for (const [ag, url] of urls) {
        const res = await ag.get(url);
        assert.equal(res.status, 200, url);
        assert.match(res.headers['cache-control'] ?? '', /no-store/, url);
      }
    });

    it('strips bidirectional control characters from upload names', () => {
      assert.equal(cleanFileName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
      for (const c of ['\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u2066', '\u2067', '\u2068', '\u2069', '\u061C']) {
        assert.equal(cleanFileName(`a${c}b.png`), 'ab.png', JSON.stringify(c));
      }
    });

    it("answers 404 for an inactive workshop's public live board (staff in scope still see it)", async () => {
      const w = await Workshop.create({ name: '停用工坊', center: ctx.centers.miaoxi!, active: false });
      assert.equal((await agent().get(`/workshops/${String(w._id)}/live`)).status, 404);
      assert.equal((await (await loggedIn('13800000003')).get(`/workshops/${String(w._id)}/live`)).status, 404);
      assert.equal((await (await loggedIn('13800000001')).get(`/workshops/${String(w._id)}/live`)).status, 200);
      const active = (await Workshop.findOne({ active: true }).lean())!;
      assert.equal((await agent().get(`/workshops/${String(active._id)}/live`)).status, 200);
    });
  });
});
