import assert from 'node:assert/strict';
import { loggedIn } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { Posting } from '../../models/posting.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { postingFields, sendPostingForm, createPostingHttp, refusedForm } from './helpers.ts';

// A real 1×1 PNG and a minimal PDF.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe('gigs: posting attachments', () => {
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('stores a good image and a PDF and serves them back byte-identical with the right type', async () => {
    const emp = await loggedIn('13800000002');
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!), [
      { name: 'photo.png', data: PNG },
      { name: '说明.pdf', data: PDF },
    ]);
    const p = await Posting.findById(id).lean();
    assert.equal(p!.attachments.length, 2);
    const png = await emp
      .get(`/files/${p!.attachments[0]!.id}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    assert.equal(png.status, 200);
    assert.equal(png.headers['content-type'], 'image/png');
    assert.ok(Buffer.compare(png.body as Buffer, PNG) === 0, 'byte-identical');
    const pdf = await emp.get(`/files/${p!.attachments[1]!.id}`);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    // Attachments are listed on the employer's page and removable on edit.
    const edit = await sendPostingForm(emp, `/employer/postings/${id}`, postingFields(ctx.centers.miaoxi!, { removeAttachments: p!.attachments[0]!.id! }));
    assert.equal(edit.status, 302);
    assert.equal((await Posting.findById(id).lean())!.attachments.length, 1);
  });

  it('refuses a file over 5 MB, with the form back', async () => {
    const emp = await loggedIn('13800000002');
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024 + 10)]);
    const before = await Posting.countDocuments();
    const res = await refusedForm(
      emp,
      await sendPostingForm(emp, '/employer/postings', postingFields(ctx.centers.miaoxi!, { title: '大文件' }), [{ name: 'big.png', data: big }]),
    );
    assert.match(res.text, /value="大文件"/);
    assert.match(res.text, /class="error"/);
    assert.equal(await Posting.countDocuments(), before);
  });

  it('refuses a non-image renamed .jpg (checked by content, not name)', async () => {
    const emp = await loggedIn('13800000002');
    const before = await Posting.countDocuments();
    const res = await sendPostingForm(emp, '/employer/postings', postingFields(ctx.centers.miaoxi!), [
      { name: 'ok.png', data: PNG },
      { name: 'photo.jpg', data: Buffer.from('<html><script>alert(1)</script></html>') },
    ]);
    assert.equal(res.status, 303);
    assert.equal(await Posting.countDocuments(), before);
  });

  it('refuses more than 5 files, also counting the ones already attached', async () => {
    const emp = await loggedIn('13800000002');
    const six = Array.from({ length: 6 }, (_, i) => ({ name: `p${i}.png`, data: PNG }));
    const res = await sendPostingForm(emp, '/employer/postings', postingFields(ctx.centers.miaoxi!), six);
    assert.equal(res.status, 303);
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!), six.slice(0, 4));
    const more = await sendPostingForm(emp, `/employer/postings/${id}`, postingFields(ctx.centers.miaoxi!), six.slice(0, 2));
    assert.equal(more.status, 303);
    assert.match((await refusedForm(emp, more)).text, /class="error"/);
    assert.equal((await Posting.findById(id).lean())!.attachments.length, 4);
  });
});
