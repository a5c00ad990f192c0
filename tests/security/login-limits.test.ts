import assert from 'node:assert/strict';
import { agent, csrfFrom, loggedIn, makeApp, submit, type Agent } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { normalizePhone } from '../../server/accounts/schemas.ts';
import { User } from '../../models/user.ts';
import type { SeedContext } from '../../server/seed/index.ts';

// Issue 14, finding 1: the login limits key on one normalised phone, and one account locks
// across IPs.
describe('security: login limits (issue 14 #1)', function () {
  this.timeout(60_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  async function tryLogin(ag: Agent, phone: string, password: string, ip?: string) {
    const page = await ag.get('/login');
    const req = ag.post('/login').type('form');
    if (ip) req.set('X-Forwarded-For', ip);
    return req.send({ phone, password, _csrf: csrfFrom(page.text) });
  }

  it('normalises a phone once: NFKC digits, every Unicode space and invisible character dropped', () => {
    for (const v of [
      ' 13928448657',
      '13928448657 ',
      '\t13928448657',
      '\u300013928448657',
      '13928448657\u00a0',
      '139 2844 8657',
      '１３９２８４４８６５７',
      '\u200b13928448657\ufeff',
    ]) {
      assert.equal(normalizePhone(v), '13928448657', JSON.stringify(v));
    }
  });

  it('puts " 139…", "139… ", "\\t139…", "\\u3000139…" and "139…\\u00a0" in one per-phone bucket; the right password then waits', async () => {
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const limited = makeApp({ LOGIN_RATE_LIMIT: '3' }).app;
    const ag = agent(limited);
    const statuses: number[] = [];
    for (const v of [` ${u.phone}`, `${u.phone} `, `\t${u.phone}`, `\u3000${u.phone}`, `${u.phone}\u00a0`]) {
      statuses.push((await tryLogin(ag, v, 'wrong-password-1')).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const right = await tryLogin(ag, ` ${u.phone} `, 'doorstep-demo');
    assert.equal(right.status, 429, 'the padded number with the right password is still limited');
  });

  it('logs in with a padded or full-width number (one account, not a different one)', async () => {
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const fullWidth = u.phone.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    assert.equal((await tryLogin(agent(), `\u3000${fullWidth} `, 'doorstep-demo')).status, 302);
  });

  it('registers a padded number under its normal form, so no look-alike second account exists', async () => {
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const res = await submit(agent(), '/register', '/register', {
      role: 'resident',
      name: '空格',
      phone: `\u3000${u.phone}\u00a0`,
      email: '',
      password: 'another-pass-1',
      passwordConfirm: 'another-pass-1',
      homeCenter: ctx.centers.miaoxi!,
      privacyConsent: 'on',
    });
    assert.equal(res.status, 302);
    assert.equal(await User.countDocuments({ phone: { $regex: u.phone.slice(-8) } }), 1);
  });

  it('locks one account after the limit of failures from many IPs, with a clear message; staff at the desk unlock it', async () => {
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const app = makeApp({ TRUST_PROXY: '1', LOGIN_ACCOUNT_LIMIT: '3' }).app;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await tryLogin(agent(app), u.phone, `wrong-${i}-password`, `198.51.100.${i + 1}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const right = await tryLogin(agent(app), ` ${u.phone}`, 'doorstep-demo', '203.0.113.9');
    assert.equal(right.status, 429, 'the right password from a fresh IP waits too');
    assert.match(right.text, /锁定/);
    assert.match(right.text, /\d\d:\d\d/, 'says when it lifts');

    // Out-of-scope staff (Xunqiao) cannot unlock a Miaoxi resident; Miaoxi staff can.
    const far = await loggedIn('13800000005', app);
    const farPage = await far.get('/profile');
    const denied = await far
      .post(`/staff/residents/${u.id}/unlock-login`)
      .type('form')
      .send({ _csrf: csrfFrom(farPage.text) });
    assert.equal(denied.status, 404, 'out of scope answers like unknown');
    const desk = await loggedIn('13800000001', app);
    const page = await desk.get(`/staff/residents/${u.id}`);
    assert.match(page.text, /unlock-login/);
    const un = await desk
      .post(`/staff/residents/${u.id}/unlock-login`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(un.status, 302);
    assert.equal((await tryLogin(agent(app), u.phone, 'doorstep-demo', '203.0.113.9')).status, 302);
  });

  it('locks an unknown number the same way, so a lock does not reveal an account', async () => {
    const app = makeApp({ LOGIN_ACCOUNT_LIMIT: '2' }).app;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await tryLogin(agent(app), '13911112222', `wrong-${i}-password`)).status);
    assert.deepEqual(statuses, [401, 401, 429]);
  });
});
