import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { agent, app, csrfFrom, loggedIn, type Agent } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { listRoutes } from '../helpers/routes.ts';
import { Posting, POSTING_STATUSES } from '../../models/posting.ts';
import { Employer } from '../../models/employer.ts';
import { createPostingHttp, postingFields, sendPostingForm } from '../gigs/helpers.ts';
import type { SeedContext } from '../../server/seed/index.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

// Issue 14, finding 2: posting attachments follow their posting's status, removed files are
// gone, ids cannot be guessed, and a refusal looks like a missing file.
describe('security: uploaded files (issue 14 #2)', function () {
  this.timeout(120_000);
  let ctx: SeedContext;
  let who: Record<string, Agent>;
  before(async () => {
    ctx = await freshDemo();
    who = {
      anonymous: agent(),
      resident: await loggedIn('13800000003'),
      otherEmployer: await loggedIn('13800000012'),
      owner: await loggedIn('13800000002'),
      staffInScope: await loggedIn('13800000001'),
      staffOutOfScope: await loggedIn('13800000005'),
      admin: await loggedIn('13800000000'),
    };
  });

  it('serves every file route only to whom it concerns, for every role and posting state', async () => {
    const fileRoutes = listRoutes(app()).filter((r) => r.method === 'GET' && /\/files\//.test(r.path));
    assert.deepEqual(
      fileRoutes.map((r) => r.path),
      ['/files/:id'],
      'a new file-serving route must be added to this walk',
    );
    const id = await createPostingHttp(who.owner!, postingFields(ctx.centers.miaoxi!, { title: '附件状态' }), [
      { name: 'a.png', data: PNG },
      { name: 'b.pdf', data: PDF },
    ]);
    const files = (await Posting.findById(id).lean())!.attachments.map((a) => a.id!);
    const failures: string[] = [];
    for (const status of POSTING_STATUSES) {
      await Posting.updateOne({ _id: id }, { $set: { status } });
      const live = status === 'published' || status === 'filled';
      for (const [name, ag] of Object.entries(who)) {
        const expected = live || ['owner', 'staffInScope', 'admin'].includes(name) ? 200 : 404;
        for (const f of files) {
          const res = await ag.get(`/files/${f}`);
          if (res.status !== expected) failures.push(`${status} as ${name}: ${res.status}, expected ${expected}`);
          if (res.status === 200 && !/no-store/.test(res.headers['cache-control'] ?? '')) failures.push(`${status} as ${name}: cacheable`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it('uses random ids, not sequential ObjectIds', async () => {
    const id = await createPostingHttp(who.owner!, postingFields(ctx.centers.miaoxi!), [
      { name: 'a.png', data: PNG },
      { name: 'b.png', data: PNG },
    ]);
    const [a, b] = (await Posting.findById(id).lean())!.attachments.map((x) => x.id!);
    for (const f of [a!, b!]) assert.match(f, /^[\w-]{32}$/);
    assert.notEqual(a!.slice(0, 16), b!.slice(0, 16), 'no shared prefix to count from');
  });

  it('deletes an attachment the employer removes: nobody can fetch it afterwards', async () => {
    const id = await createPostingHttp(who.owner!, postingFields(ctx.centers.miaoxi!, { title: '删除附件' }), [{ name: 'a.png', data: PNG }]);
    const file = (await Posting.findById(id).lean())!.attachments[0]!.id!;
    await Posting.updateOne({ _id: id }, { $set: { status: 'published' } });
    assert.equal((await who.anonymous!.get(`/files/${file}`)).status, 200);
    const edit = await sendPostingForm(
      who.owner!,
      `/employer/postings/${id}`,
      postingFields(ctx.centers.miaoxi!, { title: '删除附件', removeAttachments: file }),
    );
    assert.equal(edit.status, 302);
    for (const [name, ag] of Object.entries(who)) assert.equal((await ag.get(`/files/${file}`)).status, 404, name);
    assert.equal(await mongoose.connection.db!.collection('files.files').countDocuments({ _id: file as never }), 0);
  });

  it("stops serving a published posting's files to the public once it is closed", async () => {
    const id = await createPostingHttp(who.owner!, postingFields(ctx.centers.miaoxi!, { title: '关闭附件' }), [{ name: 'a.png', data: PNG }]);
    const file = (await Posting.findById(id).lean())!.attachments[0]!.id!;
    await Posting.updateOne({ _id: id }, { $set: { status: 'published' } });
    const page = await who.owner!.get(`/employer/postings/${id}`);
    assert.equal(
      (
        await who
          .owner!.post(`/employer/postings/${id}/close`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), confirm: 'yes' })
      ).status,
      302,
    );
    assert.equal((await who.anonymous!.get(`/files/${file}`)).status, 404);
    assert.doesNotMatch((await who.anonymous!.get(`/gigs/${id}`)).text, new RegExp(file), 'the public page no longer links it');
    assert.equal((await who.owner!.get(`/files/${file}`)).status, 200);
  });

  it('answers 404, not 401 or 403, for a private licence, the same as for an unknown id', async () => {
    const e = await Employer.findOne({ licenseFile: { $nin: [null, ''] } }, { licenseFile: 1 }).lean();
    let licence = e?.licenseFile as string | undefined;
    if (!licence) {
      // No seeded licence: upload one as the demo employer.
      const page = await who.owner!.get('/employer/profile');
      const cur = await Employer.findOne({}).lean();
      assert.ok(page.status === 200 && cur);
      const req = who.owner!.post(`/employer/profile?_csrf=${encodeURIComponent(csrfFrom(page.text))}`);
      const values: Record<string, string> = {
        name: cur.name,
        contactName: cur.contactName,
        phone: cur.phone,
        address: cur.address,
        creditCode: cur.creditCode,
        center: String(cur.center),
      };
      for (const [k, v] of Object.entries(values)) req.field(k, v);
      await req.attach('license', PNG, 'licence.png');
      licence = (await Employer.findOne({ licenseFile: { $nin: [null, ''] } }).lean())!.licenseFile as string;
    }
    for (const name of ['anonymous', 'resident', 'otherEmployer', 'staffOutOfScope']) {
      assert.equal((await who[name]!.get(`/files/${licence}`)).status, 404, name);
    }
    assert.equal((await who.anonymous!.get('/files/5f0000000000000000000001')).status, 404);
  });
});
