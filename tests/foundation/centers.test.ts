import assert from 'node:assert/strict';
import { agent, login, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { Center } from '../../models/center.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import type { SeedContext } from '../../server/seed/index.ts';

describe('centers', () => {
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('seeds the Linhai tree with Miaoxi under Dongcheng', async () => {
    const miaoxi = await Center.findById(ctx.centers.miaoxi).lean();
    assert.equal(miaoxi!.name, '庙西村党群服务中心');
    assert.deepEqual(miaoxi!.ancestors.map(String), [ctx.centers.linhai, ctx.centers.dongcheng]);
  });

  it('shows a public center page and the tree', async () => {
    const list = await agent().get('/centers');
    assert.equal(list.status, 200);
    for (const name of ['东塍镇', '庙西村', '汛桥镇', '尤溪镇', '大洋街道']) assert.match(list.text, new RegExp(name));
    const page = await agent().get(`/centers/${ctx.centers.miaoxi}?lang=en`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Miaoxi Village Center/);
    assert.match(page.text, /Dongcheng Town Center/);
    assert.equal((await agent().get('/centers/000000000000000000000000')).status, 404);
    assert.equal((await agent().get('/centers/not-an-id')).status, 404);
  });

  it('lets the admin create a village under a town, audited', async () => {
    const admin = await loggedIn('13800000000');
    const res = await submit(admin, '/admin/centers/new', '/admin/centers', {
      name: '岭景村党群服务中心',
      nameEn: 'Lingjing Village Center',
      level: 'village',
      parent: ctx.centers.youxi!,
      address: '尤溪镇岭景村',
      hours: '8:00–18:00',
      phone: '0576-85710999',
    });
    assert.equal(res.status, 302);
    const created = await Center.findOne({ name: '岭景村党群服务中心' }).lean();
    assert.deepEqual(created!.ancestors.map(String), [ctx.centers.linhai, ctx.centers.youxi]);
    assert.ok(await AuditEntry.findOne({ action: 'center.create', targetId: String(created!._id) }).lean());
    const audit = await admin.get('/admin/audit');
    assert.match(audit.text, /center\.create/);
  });

  it('refuses a village placed directly under the city, with the form back', async () => {
    const admin = await loggedIn('13800000000');
    const before = await Center.countDocuments();
    const res = await submit(admin, '/admin/centers/new', '/admin/centers', { name: '错位村', level: 'village', parent: ctx.centers.linhai! });
    assert.equal(res.status, 400);
    assert.match(res.text, /镇街中心/);
    assert.match(res.text, /错位村/);
    assert.equal(await Center.countDocuments(), before);
  });

  it('lets the admin rename a center and keeps staff out', async () => {
    const admin = await loggedIn('13800000000');
    const res = await submit(admin, `/admin/centers/${ctx.centers.lifeng}/edit`, `/admin/centers/${ctx.centers.lifeng}`, {
      name: '利丰村党群服务中心',
      nameEn: 'Lifeng Village Service Center',
      level: 'village',
      parent: ctx.centers.xunqiao!,
      address: '汛桥镇利丰村 1 号',
      hours: '8:00–18:00',
      phone: '',
    });
    assert.equal(res.status, 302);
    assert.equal((await Center.findById(ctx.centers.lifeng).lean())!.address, '汛桥镇利丰村 1 号');
    const staff = await loggedIn('13800000005');
    assert.equal((await staff.get(`/admin/centers/${ctx.centers.lifeng}/edit`)).status, 403);
  });

  it('lets the admin create a staff account bound to a center', async () => {
    const admin = await loggedIn('13800000000');
    const res = await submit(admin, '/admin/staff', '/admin/staff', {
      name: '新员工',
      phone: '13812345678',
      password: 'staff-pass-1',
      role: 'staff',
      staffCenter: ctx.centers.youxi!,
    });
    assert.equal(res.status, 302);
    const staff = agent();
    await login(staff, '13812345678', 'staff-pass-1');
    assert.equal((await staff.get('/staff')).status, 200);
    const dup = await submit(admin, '/admin/staff', '/admin/staff', {
      name: '重复',
      phone: '13812345678',
      password: 'staff-pass-1',
      role: 'staff',
      staffCenter: ctx.centers.youxi!,
    });
    assert.equal(dup.status, 409);
  });
});
