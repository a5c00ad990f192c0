import assert from 'node:assert/strict';
import { User } from '../../models/user.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { agent, csrfFrom, login, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';

const MIAOXI_STAFF = '13800000001';
const XUNQIAO_STAFF = '13800000005';
const ADMIN = '13800000000';

describe('accounts: the staff desk and the admin', function () {
  this.timeout(60_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  describe('resident page', () => {
    it('shows a search box, the courses, applications and workshop work of the demo resident, and links to act', async () => {
      const staff = await loggedIn(MIAOXI_STAFF);
      const res = await staff.get(`/staff/residents/${ctx.users.lowIncome}`);
      assert.equal(res.status, 200);
      assert.match(res.text, /action="\/staff\/residents" class="search"/);
      assert.match(res.text, /id="courses"/);
      assert.match(res.text, /id="applications"/);
      assert.match(res.text, /id="work"/);
      assert.match(res.text, new RegExp(`/staff/residents/${ctx.users.lowIncome}/password`));
      assert.match(res.text, new RegExp(`action="/staff/residents/${ctx.users.lowIncome}/details"`));
    });

    it("lists the person's workshop membership with this month's earnings", async () => {
      // The demo low-income resident works in the Miaoxi lantern workshop.
      const staff = await loggedIn(MIAOXI_STAFF);
      const res = await staff.get(`/staff/residents/${ctx.users.lowIncome}`);
      const work = res.text.slice(res.text.indexOf('id="work"'), res.text.indexOf('id="edit"'));
      assert.match(work, /href="\/staff\/workshops\/[a-f\d]{24}"/);
      assert.match(work, /¥/);
    });

    it('refuses staff of another town', async () => {
      const other = await loggedIn(XUNQIAO_STAFF);
      const res = await other.get(`/staff/residents/${ctx.users.resident}`);
      assert.equal(res.status, 404); // like an unknown id (issue 14, finding 9)
    });
  });

  describe('editing name and birth year', () => {
    it('saves the correction and audits both versions', async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '王阿婆', birthYear: 1950 });
      const staff = await loggedIn(MIAOXI_STAFF);
      const res = await submit(staff, `/staff/residents/${r.id}`, `/staff/residents/${r.id}/details`, { name: '王阿娣', birthYear: '1951' });
      assert.equal(res.status, 302);
      const saved = await User.findById(r.id).lean();
      assert.equal(saved!.name, '王阿娣');
      assert.equal(saved!.birthYear, 1951);
      const entry = await AuditEntry.findOne({ action: 'resident.edit', targetId: r.id }).lean();
      assert.ok(entry);
      assert.equal((entry.details as unknown as Record<string, string>).fromName, '王阿婆');
    });

    it('gives the form back with an error in words for a bad year, saving nothing', async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '李大伯', birthYear: 1948 });
      const staff = await loggedIn(MIAOXI_STAFF);
      const res = await submit(staff, `/staff/residents/${r.id}`, `/staff/residents/${r.id}/details`, { name: '李大爷', birthYear: '1800' });
      assert.equal(res.status, 400);
      assert.match(res.text, /value="李大爷"/);
      assert.match(res.text, /class="error"/);
      assert.equal((await User.findById(r.id).lean())!.name, '李大伯');
    });

    it('is refused out of scope', async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '周阿姨' });
      const other = await loggedIn(XUNQIAO_STAFF);
      const token = csrfFrom((await other.get('/profile')).text);
      const res = await other.post(`/staff/residents/${r.id}/details`).type('form').send({ _csrf: token, name: 'X' });
      assert.equal(res.status, 404);
      assert.equal((await User.findById(r.id).lean())!.name, '周阿姨');
    });
  });

  describe('password reset at the desk', () => {
    it('needs the ID-checked box, then shows a temporary password once and forces a change at next login', async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '忘密码' });
      // The resident is logged in on another phone; the reset ends that session.
      const oldPhone = await loggedIn(r.phone);
      assert.equal((await oldPhone.get('/me')).status, 200);

      const staff = await loggedIn(MIAOXI_STAFF);
      const page = `/staff/residents/${r.id}/password`;
      const unticked = await submit(staff, page, page, {});
      assert.equal(unticked.status, 400);
      assert.equal(await AuditEntry.countDocuments({ action: 'resident.passwordReset', targetId: r.id }), 0);

      const res = await submit(staff, page, page, { idChecked: 'on' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      const temp = /data-temp-password[^>]*>(\d{10})</.exec(res.text)?.[1];
      assert.ok(temp, 'the page shows a 10-digit temporary password');
      assert.equal(await AuditEntry.countDocuments({ action: 'resident.passwordReset', targetId: r.id }), 1);
      // Shown once: the resident page does not show it again.
      assert.doesNotMatch((await staff.get(`/staff/residents/${r.id}`)).text, new RegExp(temp));

      const after = await oldPhone.get('/me');
      assert.equal(after.status, 302, 'the old session no longer works');
      assert.match(after.headers.location!, /^\/login/);

      // The old password is gone; the temporary one logs in but leads only to the change page.
      const wrong = await submit(agent(), '/login', '/login', { phone: r.phone, password: 'doorstep-demo' });
      assert.equal(wrong.status, 401);
      const ag = agent();
      await login(ag, r.phone, temp);
      const me = await ag.get('/me');
      assert.equal(me.status, 302);
      assert.equal(me.headers.location, '/profile/password');
      const form = await ag.get('/profile/password');
      assert.equal(form.status, 200);
      assert.doesNotMatch(form.text, /name="current"/);
      const blocked = await ag
        .post('/profile')
        .type('form')
        .send({ _csrf: csrfFrom(form.text), name: 'x' });
      assert.equal(blocked.status, 403);

      const mismatch = await submit(ag, '/profile/password', '/profile/password', { password: 'new-pass-2026', passwordConfirm: 'other-pass' });
      assert.equal(mismatch.status, 400);
      const done = await submit(ag, '/profile/password', '/profile/password', { password: 'new-pass-2026', passwordConfirm: 'new-pass-2026' });
      assert.equal(done.status, 302);
      assert.equal((await ag.get('/me')).status, 200);
      assert.equal((await User.findById(r.id).lean())!.mustChangePassword, false);
      await login(agent(), r.phone, 'new-pass-2026');
    });

    it("is refused for a resident outside the staff member's centers", async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
      const other = await loggedIn(XUNQIAO_STAFF);
      assert.equal((await other.get(`/staff/residents/${r.id}/password`)).status, 404);
      const token = csrfFrom((await other.get('/profile')).text);
      const res = await other.post(`/staff/residents/${r.id}/password`).type('form').send({ _csrf: token, idChecked: 'on' });
      assert.equal(res.status, 404);
      assert.equal((await User.findById(r.id).lean())!.mustChangePassword, false);
    });

    it('a voluntary change asks for the current password', async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
      const ag = await loggedIn(r.phone);
      const page = await ag.get('/profile/password');
      assert.match(page.text, /name="current"/);
      const bad = await submit(ag, '/profile/password', '/profile/password', {
        current: 'not-it-at-all',
        password: 'another-2026',
        passwordConfirm: 'another-2026',
      });
      assert.equal(bad.status, 400);
      const ok = await submit(ag, '/profile/password', '/profile/password', {
        current: 'doorstep-demo',
        password: 'another-2026',
        passwordConfirm: 'another-2026',
      });
      assert.equal(ok.status, 302);
    });
  });

  describe('admin: disable and enable', () => {
    it('asks for confirmation, then the account cannot log in and its sessions stop; enabling restores it', async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '停用测试' });
      const session = await loggedIn(r.phone);
      const admin = await loggedIn(ADMIN);

      const found = await admin.get(`/admin/accounts?phone=${r.phone}`);
      assert.equal(found.status, 302);
      assert.equal(found.headers.location, `/admin/accounts/${r.id}`);

      const page = `/admin/accounts/${r.id}/disable`;
      const unconfirmed = await submit(admin, page, page, {});
      assert.equal(unconfirmed.status, 400);
      assert.equal((await User.findById(r.id).lean())!.disabled, false);

      const res = await submit(admin, page, page, { confirm: 'on' });
      assert.equal(res.status, 302);
      assert.equal((await User.findById(r.id).lean())!.disabled, true);
      assert.equal((await session.get('/me')).status, 302, 'the existing session stops working');
      assert.equal((await submit(agent(), '/login', '/login', { phone: r.phone, password: 'doorstep-demo' })).status, 401);
      assert.match((await admin.get(`/admin/accounts/${r.id}`)).text, /data-account-status="disabled"/);

      const again = await submit(admin, `/admin/accounts/${r.id}`, `/admin/accounts/${r.id}/enable`, {});
      assert.equal(again.status, 302);
      await login(agent(), r.phone);
      const actions = (await AuditEntry.find({ targetId: r.id }).lean()).map((e) => e.action).sort();
      assert.deepEqual(actions, ['account.disable', 'account.enable']);
    });

    it('an admin cannot disable their own account, and staff cannot reach it', async () => {
      const admin = await loggedIn(ADMIN);
      const me = (await User.findOne({ phone: ADMIN }).lean())!;
      assert.equal((await admin.get(`/admin/accounts/${String(me._id)}/disable`)).status, 400);
      const staff = await loggedIn(MIAOXI_STAFF);
      assert.equal((await staff.get(`/admin/accounts/${String(me._id)}`)).status, 403);
    });

    it('the staff table heads its role column in words, not 我是', async () => {
      const admin = await loggedIn(ADMIN);
      const res = await admin.get('/admin/staff');
      const head = res.text.slice(res.text.indexOf('<thead>'), res.text.indexOf('</thead>'));
      assert.doesNotMatch(head, /我是/);
      assert.match(head, /角色/);
    });
  });
});
