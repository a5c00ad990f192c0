import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { translator } from '../../server/i18n/index.ts';
import { ALL_ACTIONS, actionKey } from '../../server/audit/kinds.ts';
import { audit } from '../../server/audit/service.ts';
import type { SeedContext } from '../../server/seed/index.ts';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Every action code a service passes to audit(), read from the sources. */
function recordedActions(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
          if (!/\baction: /.test(line)) continue;
          for (const m of line.matchAll(/'([a-z]+(?:\.[a-zA-Z]+)+)'/g)) found.add(m[1]!);
        }
      }
    }
  };
  walk(path.join(ROOT, 'server'));
  return found;
}

describe('audit log in words', function () {
  this.timeout(60_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('knows every action the services record, with a kind name and a sentence in both languages', () => {
    const missing = [...recordedActions()].filter((a) => !ALL_ACTIONS.includes(a));
    assert.deepEqual(missing, [], 'add these to server/audit/kinds.ts and server/i18n/*/audit.json');
    for (const lang of ['zh-CN', 'en'] as const) {
      const t = translator(lang);
      for (const a of ALL_ACTIONS) {
        for (const key of [`audit.kinds.${actionKey(a)}`, `audit.actions.${actionKey(a)}`]) assert.notEqual(t(key), key, `${lang}: ${key}`);
      }
    }
  });

  it('says who did what to whom, filters by kind and by person', async () => {
    const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '审计居民' });
    const staff = await loggedIn('13800000001');
    await submit(staff, `/staff/residents/${r.id}/password`, `/staff/residents/${r.id}/password`, { idChecked: 'on' });
    await submit(staff, `/staff/residents/${r.id}`, `/staff/residents/${r.id}/details`, { name: '审计居民二', birthYear: '1960' });
    // An entry as the course desk writes it: ids and flags that must not show raw.
    const staffUser = {
      id: ctx.users.miaoxiStaff!,
      name: '范卫晓',
      phone: '13800000001',
      role: 'staff' as const,
      homeCenter: ctx.centers.miaoxi!,
      staffCenter: ctx.centers.miaoxi!,
    };
    await audit(staffUser, {
      action: 'course.walkIn',
      targetType: 'enrolment',
      targetId: '5f0000000000000000000001',
      center: ctx.centers.miaoxi,
      details: { course: '面点烘焙', resident: '审计居民二', created: false, status: 'confirmed' },
    });

    const admin = await loggedIn('13800000000');
    const all = await admin.get('/admin/audit');
    assert.equal(all.status, 200);
    assert.match(all.text, /在窗口为居民 审计居民二 重设了密码/);
    assert.match(all.text, /姓名 审计居民 → 审计居民二/);
    assert.match(all.text, /在窗口为 审计居民二 报名了课程“面点烘焙”，结果：已报上/);
    const body = all.text.slice(all.text.indexOf('<tbody>'));
    assert.doesNotMatch(body, /created=|course\.walkIn|resident\.passwordReset|5f0000000000000000000001/);

    const en = await admin.get('/admin/audit?lang=en');
    assert.match(en.text, /reset the password of resident 审计居民二 at the desk/);
    await admin.get('/admin/audit?lang=zh-CN');

    const kind = await admin.get('/admin/audit?kind=resident.passwordReset');
    assert.match(kind.text, /重设了密码/);
    assert.doesNotMatch(kind.text, /报名了课程/);
    const area = await admin.get('/admin/audit?kind=courses');
    assert.match(area.text, /报名了课程/);
    assert.doesNotMatch(area.text, /重设了密码/);

    const person = await admin.get(`/admin/audit?person=${r.phone}`);
    assert.match(person.text, /与 审计居民二 有关/);
    assert.match(person.text, /重设了密码/);
    assert.doesNotMatch(person.text, /报名了课程/, 'the walk-in names the resident only in words, not as the target');
    const byActor = await admin.get(`/admin/audit?user=${ctx.users.miaoxiStaff}`);
    assert.match(byActor.text, /重设了密码/);
    const nobody = await admin.get('/admin/audit?person=13999999999');
    assert.match(nobody.text, /没有这个手机号的账号/);
  });
});
