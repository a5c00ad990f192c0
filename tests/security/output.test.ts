import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { User } from '../../models/user.ts';

// Triple-stash prints HTML unescaped. Only these may use it: the layout body and server-made QR/SVG markup.
const RAW_ALLOWED = /^\{\{\{(body|[\w.]*(qr|Qr|QR|svg|Svg)[\w.]*)\}\}\}$/;

describe('security: output escaping', () => {
  before(async () => {
    await freshDemo();
  });

  it('never prints user text unescaped in templates', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (f.name.endsWith('.hbs'))
          for (const m of fs.readFileSync(p, 'utf8').matchAll(/\{\{\{[^}]*\}\}\}/g)) if (!RAW_ALLOWED.test(m[0])) offenders.push(`${p}: ${m[0]}`);
      }
    };
    walk(path.resolve('views'));
    assert.deepEqual(offenders, []);
  });

  it('shows a script payload in a name escaped on the staff and admin pages that show it', async () => {
    const payload = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const ag = await loggedIn('13800000003');
    const me = await User.findOne({ phone: '13800000003' }).lean();
    const res = await submit(ag, '/profile', '/profile', {
      name: payload.slice(0, 40),
      email: '',
      homeCenter: String(me!.homeCenter),
      skills: payload,
      birthYear: '',
    });
    assert.equal(res.status, 302);
    const staff = await loggedIn('13800000001');
    for (const url of [`/staff/residents/${String(me!._id)}`, '/me', '/profile']) {
      const page = await (url === '/me' || url === '/profile' ? ag : staff).get(url);
      assert.equal(page.status, 200, url);
      assert.doesNotMatch(page.text, /<script>alert/, `${url} escapes scripts`);
      assert.doesNotMatch(page.text, /<img src=x/, `${url} escapes tags`);
    }
    assert.equal((await agent().get('/')).status, 200);
  });
});
