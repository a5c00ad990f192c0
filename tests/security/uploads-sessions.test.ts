import assert from 'node:assert/strict';
import request from 'supertest';
import { loggedIn, makeApp } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { cleanFileName } from '../../server/files/upload.ts';
import { Posting } from '../../models/posting.ts';
import mongoose from 'mongoose';
import { postingFields, sendPostingForm, refusedForm } from '../gigs/helpers.ts';
import type { SeedContext } from '../../server/seed/index.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('security: uploads and sessions', () => {
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('keeps only a plain base name from uploaded file names', () => {
    assert.equal(cleanFileName('../../etc/passwd'), 'passwd');
    assert.equal(cleanFileName('C:\\Windows\\system32\\evil.png'), 'evil.png');
    assert.equal(cleanFileName('..'), 'file');
    assert.equal(cleanFileName('a\u0000b<c>.png'), 'abc.png');
    assert.ok(cleanFileName(`${'x'.repeat(300)}.pdf`).length <= 100);
  });

  it('refuses an SVG (script-capable) even when named .png, and stores nothing', async () => {
    const emp = await loggedIn('13800000002');
    const before = await Posting.countDocuments();
    const files = await mongoose.connection.db!.collection('files.files').countDocuments();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const res = await refusedForm(emp, await sendPostingForm(emp, '/employer/postings', postingFields(ctx.centers.miaoxi!), [{ name: 'logo.png', data: svg }]));
    assert.match(res.text, /文件类型不对/);
    assert.equal(await Posting.countDocuments(), before);
    assert.equal(await mongoose.connection.db!.collection('files.files').countDocuments(), files);
  });

  it('stores a file name with path tricks under its base name only', async () => {
    const emp = await loggedIn('13800000002');
    const res = await sendPostingForm(emp, '/employer/postings', postingFields(ctx.centers.miaoxi!, { title: '路径测试' }), [
      { name: '../../../tmp/x.png', data: PNG },
    ]);
    assert.equal(res.status, 302);
    const p = await Posting.findOne({ title: '路径测试' }).lean();
    assert.equal(p!.attachments[0]!.name, 'x.png');
    const file = await emp.get(`/files/${p!.attachments[0]!.id}`);
    assert.match(file.headers['content-disposition']!, /filename\*=UTF-8''x\.png/);
    assert.match(file.headers['content-security-policy']!, /default-src 'none'/);
  });

  it('marks session and CSRF cookies Secure in production (behind an HTTPS proxy)', async () => {
    const prod = makeApp({ NODE_ENV: 'production', TRUST_PROXY: '1', PUBLIC_URL: 'https://doorstep.example' }).app;
    const page = await request(prod).get('/login').set('X-Forwarded-Proto', 'https');
    const csrfCookie = (page.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('__Host-doorstep.csrf'));
    assert.ok(csrfCookie, 'a __Host- CSRF cookie');
    assert.match(csrfCookie, /Secure/);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    // A client keeps Secure cookies for HTTPS only, so send this one by hand as the browser would.
    const res = await request(prod)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', csrfCookie.split(';')[0]!)
      .type('form')
      .send({ phone: '13800000003', password: 'doorstep-demo', _csrf: token });
    assert.equal(res.status, 302);
    const sid = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('doorstep.sid'))!;
    assert.match(sid, /Secure/);
    assert.match(sid, /HttpOnly/);
    assert.match(res.headers['strict-transport-security'] ?? '', /max-age/);
  });
});
