import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { loggedIn, csrfFrom } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { Posting } from '../../models/posting.ts';
import { PostingSlot } from '../../models/posting-slot.ts';
import { PostingApplicants } from '../../models/posting-applicants.ts';
import { Application } from '../../models/application.ts';
import { Counter } from '../../models/counter.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import * as slots from '../../server/gigs/service/slots.ts';
import { claimNumberedSlot, countNumberedSlots, numberedSlotId } from '../../server/store/index.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { postingFields, publishedPosting, refusedForm, sendPostingForm } from './helpers.ts';

// Posting slots under keyed _ids `<posting>:<slotNo>` (server/store/slots.ts): the claims, the
// start-up rewrite of slots stored before them, and what a crash inside that rewrite leaves.

describe('gigs: numbered posting slots', () => {
  let ctx: SeedContext;
  let employer: Express.User;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
    employer = { id: ctx.users.employer! } as Express.User;
  });

  async function applicants(postingId: string, n: number) {
    const users = await Promise.all(Array.from({ length: n }, () => makeUser({ role: 'resident', center: ctx.centers.miaoxi! })));
    const ids: string[] = [];
    for (const u of users) ids.push(await applications.apply({ id: u.id }, postingId, { message: '', availability: '' }));
    return { users, ids };
  }

  it('the seed lists its pending application on the posting, as apply() does', async () => {
    const seeded = await Application.findOne({ resident: ctx.users.resident, status: 'pending' }, { posting: 1 }).lean();
    assert.ok(seeded, 'the demo resident has a pending application');
    const list = await PostingApplicants.findById(seeded.posting).lean();
    assert.ok(list?.applications.some((id) => String(id) === String(seeded._id)));
  });

  it('claims are inserts under `<owner>:<n>`: never more than max, counted by _id', async () => {
    const owner = new Types.ObjectId();
    const fields = (n: number) => ({ posting: owner, slotNo: n, application: new Types.ObjectId() });
    const got = await Promise.all(Array.from({ length: 8 }, () => claimNumberedSlot(PostingSlot, String(owner), 3, fields)));
    assert.deepEqual(got.filter((n) => n > 0).sort(), [1, 2, 3]);
    assert.equal(got.filter((n) => n === 0).length, 5);
    assert.equal(await countNumberedSlots(PostingSlot, String(owner), 3), 3);
    assert.ok(await PostingSlot.exists({ _id: numberedSlotId(String(owner), 2) }));
  });

  it('two accepts of one application at once: one slot, one refusal', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 3 });
    const { ids } = await applicants(id, 1);
    const emp = await loggedIn('13800000002');
    const token = csrfFrom((await emp.get(`/employer/postings/${id}`)).text);
    const res = await Promise.all([0, 1].map(() => emp.post(`/employer/applications/${ids[0]}/accept`).type('form').send({ _csrf: token })));
    assert.deepEqual(res.map((r) => r.status).sort(), [302, 409]);
    assert.equal(await PostingSlot.countDocuments({ posting: id }), 1);
    const a = await Application.findById(ids[0]).lean();
    assert.equal(a!.status, 'accepted');
    assert.ok(await PostingSlot.exists({ _id: `${id}:${a!.slotNo}`, application: ids[0] }));
  });

  it('the headcount cannot drop below a taken place number; the employer sees the numbers', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 3 });
    const { ids, users } = await applicants(id, 3);
    for (const a of ids) await slots.accept(employer, a);
    assert.equal((await Posting.findById(id).lean())!.status, 'filled');
    // The first two leave: only place 3 stays taken.
    for (const i of [0, 1]) await applications.withdraw({ id: users[i]!.id } as Express.User, ids[i]!);
    const p = await Posting.findById(id).lean();
    assert.equal(p!.status, 'published');
    assert.equal(p!.acceptedCount, 1);
    const emp = await loggedIn('13800000002');
    assert.match((await emp.get(`/employer/postings/${id}`)).text, /第 3 个名额/);
    const refused = await sendPostingForm(emp, `/employer/postings/${id}`, postingFields(ctx.centers.miaoxi!, { headcount: '2' }));
    assert.match((await refusedForm(emp, refused)).text, /更靠后的名额号/);
    assert.equal((await Posting.findById(id).lean())!.headcount, 3);
  });

  it('start-up: slots stored with ObjectId _ids are rewritten under keyed _ids, once', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 3, title: '旧名额' });
    const { ids, users } = await applicants(id, 3);
    const posting = new Types.ObjectId(id);
    // As an old version left them: slots with ObjectId _ids, an accepted application without its
    // slotNo, a withdrawn one still holding a slot, and a pending one on no list.
    await Application.updateOne({ _id: ids[0] }, { $set: { status: 'accepted' }, $unset: { slotNo: 1 } });
    await Application.updateOne({ _id: ids[1] }, { $set: { status: 'withdrawn', activeKey: `x:${ids[1]}` } });
    await PostingSlot.collection.insertMany([
      { _id: new Types.ObjectId(), posting, slotNo: 2, application: new Types.ObjectId(ids[0]), at: new Date(Date.now() - 86_400_000) },
      { _id: new Types.ObjectId(), posting, slotNo: 1, application: new Types.ObjectId(ids[1]), at: new Date(Date.now() - 86_400_000) },
    ] as never[]);
    await PostingApplicants.deleteOne({ _id: id });
    await Counter.deleteOne({ _id: 'migration:keyed-posting-slots' });

    const done = await slots.migrateSlots();
    assert.ok(done && done.moved >= 1 && done.freed >= 1 && done.listed >= 1, JSON.stringify(done));
    assert.equal(await slots.migrateSlots(), null, 'the second start skips it');
    const left = await PostingSlot.find({ posting: id }).lean();
    assert.deepEqual(
      left.map((s) => [s._id, String(s.application)]),
      [[`${id}:2`, ids[0]]],
    );
    assert.equal((await Application.findById(ids[0]).lean())!.slotNo, 2);
    assert.equal((await Posting.findById(id).lean())!.acceptedCount, 1);
    assert.ok((await PostingApplicants.findById(id).lean())!.applications.some((a) => String(a) === ids[2]));
    // And the keyed slot works as any: withdrawing frees it by _id.
    await applications.withdraw({ id: users[0]!.id } as Express.User, ids[0]!);
    assert.equal(await PostingSlot.countDocuments({ posting: id }), 0);
  });

  it('a crash inside that rewrite (old slot deleted, keyed one not yet inserted) is repaired at the next start', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 2 });
    const { ids } = await applicants(id, 2);
    await slots.accept(employer, ids[0]!);
    const a = await Application.findById(ids[0]).lean();
    await PostingSlot.deleteOne({ _id: `${id}:${a!.slotNo}` }); // the state the crash leaves
    const repaired = await slots.repairSlots();
    assert.ok(repaired.restored >= 1, JSON.stringify(repaired));
    assert.ok(await PostingSlot.exists({ _id: `${id}:${a!.slotNo}`, application: ids[0] }));
    assert.equal((await Posting.findById(id).lean())!.acceptedCount, 1);
    // The place is held: one more accept fills the posting, a third is refused.
    await slots.accept(employer, ids[1]!);
    assert.equal((await Posting.findById(id).lean())!.status, 'filled');
  });
});
