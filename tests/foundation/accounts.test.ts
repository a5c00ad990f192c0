import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { User } from '../../models/user.ts';
import { forgetAllCaches } from '../../server/store/index.ts';
import { commandsOf, type RecordedCommand } from '../helpers/commands.ts';
import { agent, app, csrfFrom, login, makeApp, submit } from '../helpers/app.ts';
import { freshDemo, uniquePhone } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';

describe('accounts', () => {
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  const good = () => ({
    role: 'resident',
    name: '金阿婆',
    phone: uniquePhone(),
    email: '',
    password: 'lantern-2026',
    passwordConfirm: 'lantern-2026',
    privacyConsent: 'on',
    homeCenter: ctx.centers.miaoxi!,
  });

  describe('registration', () => {
    it('creates a resident, sends them to log in (number filled in) and hashes the password', async () => {
      const ag = agent();
      const form = good();
      const res = await submit(ag, '/register', '/register', form);
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, '/login');
      const loginPage = await ag.get('/login');
      assert.match(loginPage.text, new RegExp(`value="${form.phone}"`));
      assert.match(loginPage.text, /注册信息已收到/);
      await login(ag, form.phone, form.password);
      const saved = await User.findOne({ phone: form.phone }).lean();
      assert.ok(saved);
      assert.equal(saved.role, 'resident');
      assert.match(saved.passwordHash!, /^\$argon2id\$/);
      const me = await ag.get('/me');
      assert.equal(me.status, 200);
      assert.match(me.text, /金阿婆/);
    });

    const refusals: [string, (f: Record<string, string>) => void, string, RegExp][] = [
      ['a bad phone', (f) => (f.phone = '12345'), 'phone', /11 位手机号/],
      ['a phone starting 12', (f) => (f.phone = '12800000000'), 'phone', /11 位手机号/],
      [
        'a weak password',
        (f) => {
          f.password = 'short';
          f.passwordConfirm = 'short';
        },
        'password',
        /至少 8 位/,
      ],
      ['mismatched passwords', (f) => (f.passwordConfirm = 'different-1'), 'passwordConfirm', /不一样/],
      ['a missing name', (f) => (f.name = ''), 'name', /必须填写/],
      ['a missing center', (f) => (f.homeCenter = ''), 'homeCenter', /选/],
      ['an unknown role', (f) => (f.role = 'admin'), 'role', /选/],
    ];
    for (const [what, change, field, message] of refusals) {
      it(`refuses ${what} with a localized error next to the field and saves nothing`, async () => {
        const form = good();
        change(form);
        const res = await submit(agent(), '/register', '/register', form);
        assert.equal(res.status, 400);
        assert.match(res.text, new RegExp(`id="e-${field}"`));
        assert.match(res.text, message);
        if (field !== 'name') assert.match(res.text, /value="金阿婆"|金阿婆/, 'typed values kept');
        assert.equal(await User.countDocuments({ phone: form.phone }), 0);
      });
    }

    it('answers a registered number exactly like a new one (issue 14 #9), and keeps one account with its own password', async () => {
      const form = good();
      const first = agent();
      const a = await submit(first, '/register', '/register', form);
      const second = agent();
      const b = await submit(second, '/register', '/register', { ...form, name: '另一个人', password: 'other-pass-99', passwordConfirm: 'other-pass-99' });
      assert.equal(b.status, a.status);
      assert.equal(b.headers.location, a.headers.location);
      const [pa, pb] = [await first.get('/login'), await second.get('/login')];
      const strip = (html: string) => html.replace(/name="_csrf" value="[^"]+"/, '');
      assert.equal(strip(pb.text), strip(pa.text), 'the page after sign-up is the same');
      assert.equal(await User.countDocuments({ phone: form.phone }), 1);
      await login(agent(), form.phone, form.password);
    });

    it('shows errors in English when asked', async () => {
      const ag = agent();
      const page = await ag.get('/register?lang=en');
      const res = await ag
        .post('/register')
        .type('form')
        .send({ ...good(), phone: 'abc', _csrf: csrfFrom(page.text) });
      assert.equal(res.status, 400);
      assert.match(res.text, /11-digit mainland mobile number/);
    });
  });

  describe('login and logout', () => {
    it('logs in with the demo staff account and lands on the desk', async () => {
      const ag = agent();
      const res = await login(ag, '13800000001');
      assert.equal(res.headers.location, '/staff');
      assert.equal((await ag.get('/staff')).status, 200);
    });

    it('gives the same generic error for an unknown phone and a wrong password', async () => {
      const a = await submit(agent(), '/login', '/login', { phone: '13999999999', password: 'whatever-123' });
      const b = await submit(agent(), '/login', '/login', { phone: '13800000003', password: 'wrong-password' });
      assert.equal(a.status, 401);
      assert.equal(b.status, 401);
      assert.match(a.text, /手机号或密码不对/);
      assert.match(b.text, /手机号或密码不对/);
    });

    it('regenerates the session id at login', async () => {
      const ag = agent();
      const page = await ag.get('/login');
      // Force a pre-login session to exist by failing once (the flash-free path still saves no session),
      // then compare the cookie issued at login with any cookie held before it.
      const before = (page.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('doorstep.sid')) ?? null;
      const res = await ag
        .post('/login')
        .type('form')
        .send({ phone: '13800000003', password: 'doorstep-demo', _csrf: csrfFrom(page.text) });
      const after = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('doorstep.sid'));
      assert.ok(after, 'a session cookie is set at login');
      assert.notEqual(after, before);
      // A second login on the same agent gets yet another id (fixation defence).
      const page2 = await ag.get('/login');
      assert.equal(page2.status, 302, 'already logged in redirects home');
      const res2 = await submit(agent(), '/login', '/login', { phone: '13800000003', password: 'doorstep-demo' });
      const other = (res2.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('doorstep.sid'));
      assert.notEqual(other!.split(';')[0], after.split(';')[0]);
    });

    it('keeps a session id chosen by an attacker from surviving login', async () => {
      const ag = agent();
      ag.jar.setCookie('doorstep.sid=s%3Aattacker-chosen.invalidsig', '127.0.0.1', '/');
      const res = await submit(ag, '/login', '/login', { phone: '13800000003', password: 'doorstep-demo' });
      const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('doorstep.sid'))!;
      assert.ok(!cookie.includes('attacker-chosen'));
    });

    it('logs out and invalidates the session on the server', async () => {
      const ag = agent();
      const res = await login(ag, '13800000003');
      const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('doorstep.sid'))!.split(';')[0]!;
      const me = await ag.get('/me');
      const out = await ag
        .post('/logout')
        .type('form')
        .send({ _csrf: csrfFrom(me.text) });
      assert.equal(out.status, 302);
      // Replaying the old cookie must not work any more.
      const replay = await agent().get('/me').set('Cookie', cookie);
      assert.equal(replay.status, 302);
      assert.match(replay.headers.location!, /^\/login/);
    });

    it('sends anonymous visitors of a protected page to login and back, never off-site', async () => {
      const res = await agent().get('/profile');
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, '/login?returnTo=%2Fprofile');
      const ag = agent();
      const r2 = await submit(ag, '/login?returnTo=/profile', '/login', { phone: '13800000003', password: 'doorstep-demo', returnTo: '/profile' });
      assert.equal(r2.headers.location, '/profile');
      const r3 = await submit(agent(), '/login', '/login', { phone: '13800000003', password: 'doorstep-demo', returnTo: '//evil.example/' });
      assert.equal(r3.headers.location, '/me');
    });

    it('rate-limits repeated bad logins', async () => {
      const limited = makeApp({ LOGIN_RATE_LIMIT: '3' }).app;
      const ag = agent(limited);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await submit(ag, '/login', '/login', { phone: '13800000003', password: `wrong-${i}-password` });
        statuses.push(res.status);
      }
      assert.deepEqual(statuses.slice(0, 3), [401, 401, 401]);
      assert.equal(statuses[3], 429);
      const blocked = await submit(ag, '/login', '/login', { phone: '13800000003', password: 'doorstep-demo' });
      assert.equal(blocked.status, 429, 'even the right password waits');
      assert.match(blocked.text, /15 分钟/);
    });
  });

  describe('CSRF', () => {
    it('rejects a POST without a token with 403', async () => {
      const res = await agent().post('/register').type('form').send(good());
      assert.equal(res.status, 403);
      assert.match(res.text, /页面已过期/);
    });
    it('rejects a token from another browser', async () => {
      const page = await agent().get('/register');
      const res = await agent()
        .post('/register')
        .type('form')
        .send({ ...good(), _csrf: csrfFrom(page.text) });
      assert.equal(res.status, 403);
    });
  });

  describe('profile', () => {
    it('saves skills and keeps the form on bad input', async () => {
      const ag = agent();
      await login(ag, '13800000003');
      const ok = await submit(ag, '/profile', '/profile', {
        name: '金士媖',
        email: '',
        homeCenter: ctx.centers.miaoxi!,
        skills: '彩灯组装，采茶',
        birthYear: '1960',
      });
      assert.equal(ok.status, 302);
      const saved = await User.findOne({ phone: '13800000003' }).lean();
      assert.deepEqual(saved!.skills, ['彩灯组装', '采茶']);
      const bad = await submit(ag, '/profile', '/profile', {
        name: '金士媖',
        email: 'not-an-email',
        homeCenter: ctx.centers.miaoxi!,
        skills: '缝纫',
        birthYear: '1960',
      });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /邮箱格式不对/);
      assert.match(bad.text, /缝纫/);
      const unchanged = await User.findOne({ phone: '13800000003' }).lean();
      assert.deepEqual(unchanged!.skills, ['彩灯组装', '采茶'], 'nothing saved is lost');
    });
    it('does not show the low-income field to the resident', async () => {
      const ag = agent();
      await login(ag, '13800000004');
      const res = await ag.get('/profile');
      assert.equal(res.status, 200);
      assert.doesNotMatch(res.text, /低收入/);
    });
  });

  it('serves the shared app', () => assert.ok(app()));
});

describe('session store', () => {
  before(async () => {
    await freshDemo();
  });
  const sessions = () => mongoose.connection.db!.collection('sessions');
  const sessionReads = (commands: RecordedCommand[]) => commands.filter((c) => c.collection === 'sessions');

  it('treats a session past its expiry as logged out (expiry checked after an _id-only read)', async () => {
    const ag = agent();
    await login(ag, '13800000003');
    assert.equal((await ag.get('/me')).status, 200);
    const res = await sessions().updateMany({}, { $set: { expires: new Date(Date.now() - 1000) } });
    assert.ok(res.matchedCount >= 1);
    // As after a restart: nothing kept in the process, the session is read from the database.
    forgetAllCaches();
    const after = await ag.get('/me');
    assert.equal(after.status, 302);
    assert.match(after.headers.location!, /^\/login/);
  });

  it('one node keeps a session it has read: the next request reads none from the database', async () => {
    const ag = agent();
    await login(ag, '13800000003');
    const first = await commandsOf(() => ag.get('/me'));
    assert.equal(sessionReads(first.commands).length, 1, 'the first request after login reads its session');
    let status = 0;
    const again = await commandsOf(async () => (status = (await ag.get('/me')).status));
    assert.equal(status, 200);
    assert.deepEqual(sessionReads(again.commands), []);
  });

  it('a kept session still ends at its own expiry', async () => {
    const ag = agent();
    await login(ag, '13800000003');
    await sessions().updateMany({}, { $set: { expires: new Date(Date.now() + 1500) } });
    forgetAllCaches();
    assert.equal((await ag.get('/me')).status, 200, 'read once and kept, with its expiry');
    await new Promise((r) => setTimeout(r, 1600));
    let location = '';
    const after = await commandsOf(async () => (location = (await ag.get('/me')).headers.location ?? ''));
    assert.match(location, /^\/login/);
    assert.deepEqual(sessionReads(after.commands), [], 'ended by the kept copy, not by a read');
  });

  it('with several nodes (REDIS_URL) each request reads its session: another node may have ended it', async () => {
    const node = makeApp({ REDIS_URL: 'redis://127.0.0.1:6399' }).app;
    const ag = agent(node);
    await login(ag, '13800000003');
    assert.equal((await ag.get('/me')).status, 200);
    const again = await commandsOf(() => ag.get('/me'));
    assert.equal(sessionReads(again.commands).length, 1);
    await sessions().updateMany({}, { $set: { expires: new Date(Date.now() - 1000) } });
    assert.equal((await ag.get('/me')).status, 302);
  });
});
