import assert from 'node:assert/strict';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { User } from '../../models/user.ts';
import type { SeedContext } from '../../server/seed/index.ts';

describe('guards: roles and center scope', () => {
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('lets only admins into admin pages, and says which role is needed', async () => {
    const resident = await loggedIn('13800000003');
    const res = await resident.get('/admin/staff');
    assert.equal(res.status, 403);
    assert.match(res.text, /管理员/);
    const staff = await loggedIn('13800000001');
    assert.equal((await staff.get('/admin/audit')).status, 403);
    const admin = await loggedIn('13800000000');
    assert.equal((await admin.get('/admin/staff')).status, 200);
  });

  it('keeps residents and employers off the staff desk', async () => {
    for (const phone of ['13800000003', '13800000002']) {
      const ag = await loggedIn(phone);
      assert.equal((await ag.get('/staff')).status, 403);
      assert.equal((await ag.get('/staff/residents')).status, 403);
    }
    assert.equal((await agent().get('/staff')).status, 302, 'anonymous goes to login');
  });

  it('staff of Xunqiao cannot see or change a Miaoxi resident', async () => {
    const xunqiao = await loggedIn('13800000005');
    const res = await xunqiao.get(`/staff/residents/${ctx.users.lowIncome}`);
    // Out of scope answers exactly like an unknown id (issue 14, finding 9).
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.text, /金美女/);
    const miaoxiStaff = await loggedIn('13800000001');
    const page = await miaoxiStaff.get(`/staff/residents/${ctx.users.lowIncome}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const post = await xunqiao.post(`/staff/residents/${ctx.users.lowIncome}`).type('form').send({ _csrf: token });
    assert.ok([403, 404].includes(post.status), String(post.status));
    const still = await User.findById(ctx.users.lowIncome).lean();
    assert.equal(still!.lowIncome, true);
  });

  it('staff of Dongcheng town can act on a Miaoxi village resident (a center below)', async () => {
    const dongcheng = await makeUser({ role: 'staff', center: ctx.centers.dongcheng! });
    const ag = await loggedIn(dongcheng.phone);
    const page = await ag.get(`/staff/residents/${ctx.users.lowIncome}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /低收入农户/);
    const res = await submit(ag, `/staff/residents/${ctx.users.lowIncome}`, `/staff/residents/${ctx.users.lowIncome}`, {});
    assert.equal(res.status, 302);
    assert.equal((await User.findById(ctx.users.lowIncome).lean())!.lowIncome, false);
    const entry = await AuditEntry.findOne({ action: 'resident.staffFields', targetId: ctx.users.lowIncome }).lean();
    assert.ok(entry, 'the decision is in the audit log');
    assert.equal(String(entry.actor), dongcheng.id);
  });

  it('staff of Miaoxi village cannot act on the town above it', async () => {
    const townResident = await makeUser({ role: 'resident', center: ctx.centers.dongcheng! });
    const miaoxi = await loggedIn('13800000001');
    assert.equal((await miaoxi.get(`/staff/residents/${townResident.id}`)).status, 404);
  });

  it('finds a resident by phone at the desk only within scope', async () => {
    const miaoxi = await loggedIn('13800000001');
    const found = await miaoxi.get('/staff/residents?phone=13800000003');
    assert.equal(found.status, 302);
    assert.equal(found.headers.location, `/staff/residents/${ctx.users.resident}`);
    const bad = await miaoxi.get('/staff/residents?phone=123');
    assert.equal(bad.status, 404);
    assert.match(bad.text, /11 位手机号/);
    const xunqiao = await loggedIn('13800000005');
    assert.equal((await xunqiao.get('/staff/residents?phone=13800000003')).status, 404);
  });
});
