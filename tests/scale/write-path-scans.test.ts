import assert from 'node:assert/strict';
import { loggedIn } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { commandsOf, noScans, recordPost } from '../helpers/commands.ts';
import { publishedPosting } from '../gigs/helpers.ts';
import { actor, addMember, assertSummariesMatchLedger, key, makeShop } from '../workshops/helpers.ts';
import { Application } from '../../models/application.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { PostingSlot } from '../../models/posting-slot.ts';
import { Posting } from '../../models/posting.ts';
import { Notification } from '../../models/notification.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import * as ledger from '../../server/workshops/ledger.ts';
import { dayKey } from '../../server/lib/format.ts';
import type { SeedContext } from '../../server/seed/index.ts';

// Issue 11, item 2: a write path's cost must not grow with the years of data around it, so on
// collections that grow with time every query it issues addresses documents by `_id`.
// Each test records the commands of one request (tests/helpers/commands.ts) and fails on a scan.

describe('write paths issue no collection scans (command recording)', function () {
  this.timeout(120_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('the recorder sees a filtered read as a scan and an _id read as none (so the tests below can fail)', async () => {
    const posting = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!);
    const { commands, scans } = await commandsOf(async () => {
      await Application.findById(posting).lean();
      await Application.updateOne({ _id: posting }, { $set: { message: '' } });
      await Application.updateOne({ _id: posting, status: 'pending' }, { $set: { message: '' } });
      await Application.find({ posting }).lean();
      await PostingSlot.countDocuments({ posting });
    });
    assert.ok(commands.length >= 5, JSON.stringify(commands));
    assert.equal(scans.length, 2, scans.join('\n'));
    assert.match(scans[0]!, /^find applications .*posting/);
    assert.match(scans[1]!, /^aggregate postingslots .*posting/);
  });

  it('gig apply', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!);
    const resident = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(resident.phone);
    const { scans } = await recordPost(ag, `/gigs/${id}`, `/gigs/${id}/apply`, { message: '我能来', availability: '' });
    assert.ok(await Application.exists({ activeKey: `${id}:${resident.id}` }));
    noScans(scans);
  });

  // The accept that fills a posting: the slot is claimed by inserting `<posting>:<slotNo>`
  // (server/store/slots.ts), the posting's slots are counted by reading `<posting>:1..headcount`
  // by _id, and the applicants still waiting are found on the posting's pending list (read by _id)
  // and each read by _id, so none of it grows with the years of applications and slots around it.
  it('gig accept (the one that fills the posting, with an applicant still waiting)', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 2, title: '满员通知' });
    const [first, resident, waiting] = await Promise.all([0, 1, 2].map(() => makeUser({ role: 'resident', center: ctx.centers.miaoxi! })));
    const firstApp = await applications.apply({ id: first!.id }, id, { message: '', availability: '' });
    const appId = await applications.apply({ id: resident!.id }, id, { message: '', availability: '' });
    await applications.apply({ id: waiting!.id }, id, { message: '', availability: '' });
    await submitAccept(firstApp, id);
    const emp = await loggedIn('13800000002');
    const { scans } = await recordPost(emp, `/employer/postings/${id}`, `/employer/applications/${appId}/accept`, {});
    assert.equal((await Application.findById(appId).lean())!.status, 'accepted');
    const p = await Posting.findById(id).lean();
    assert.equal(p!.status, 'filled');
    assert.equal(p!.acceptedCount, 2);
    assert.ok(await Notification.exists({ user: waiting!.id, type: 'gigPostingFilledApplicant' }), 'the waiting applicant is told');
    assert.equal(await Notification.countDocuments({ type: 'gigPostingFilledApplicant', 'params.title': '满员通知' }), 1, 'and only they');
    noScans(scans);
  });

  // Withdrawing an accepted application frees its slot by `_id` (`<posting>:<slotNo>`, the slotNo
  // the application recorded) and recounts the posting's slots by `_id`.
  it('gig withdraw (of an accepted application)', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 2 });
    const resident = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const appId = await applications.apply({ id: resident.id }, id, { message: '', availability: '' });
    await submitAccept(appId, id);
    assert.equal((await Posting.findById(id).lean())!.acceptedCount, 1);
    const ag = await loggedIn(resident.phone);
    const { scans } = await recordPost(ag, `/me/applications/${appId}/withdraw`, `/me/applications/${appId}/withdraw`, { confirm: 'yes', told: 'on' });
    assert.equal((await Application.findById(appId).lean())!.status, 'withdrawn');
    assert.equal(await PostingSlot.countDocuments({ posting: id }), 0, 'the slot is freed');
    assert.equal((await Posting.findById(id).lean())!.acceptedCount, 0);
    noScans(scans);
  });

  // Rejecting a pending applicant: the application by _id, its posting's pending list by _id.
  it('gig reject', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!);
    const resident = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const appId = await applications.apply({ id: resident.id }, id, { message: '', availability: '' });
    const emp = await loggedIn('13800000002');
    const { scans } = await recordPost(emp, `/employer/postings/${id}`, `/employer/applications/${appId}/reject`, { confirm: 'yes' });
    assert.equal((await Application.findById(appId).lean())!.status, 'rejected');
    noScans(scans);
  });

  // The entry (task, membership, closed period: by _id; the insert; its summaries by _id) and the
  // live-board refresh it starts (publishBoard -> computeBoardState, workshops/board.ts), which
  // takes the workshop's open orders and stations from its roster (workshops/roster.ts, one
  // document under the workshop's id) instead of querying orders and memberships.
  it('piece-work entry', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!);
    const worker = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, worker.id);
    const staff = await loggedIn('13800000001');
    const idem = key('scan');
    const fields = { workerId: worker.id, taskId: shop.taskId, counted: '9', rejected: '1', date: dayKey(), note: '', idempotencyKey: idem };
    const { scans } = await recordPost(staff, `/staff/workshops/${shop.id}/log`, `/staff/workshops/${shop.id}/entries`, fields);
    assert.ok(await LedgerEntry.exists({ idempotencyKey: idem }));
    noScans(scans);
    // The same form again (a double tap, a retry): answered from the key's document, by _id.
    const repeat = await recordPost(staff, `/staff/workshops/${shop.id}/log`, `/staff/workshops/${shop.id}/entries`, fields);
    assert.equal(await LedgerEntry.countDocuments({ idempotencyKey: idem }), 1);
    assert.ok(
      repeat.commands.some((c) => c.name === 'find' && c.collection === 'ledgerkeys'),
      'the repeat was looked up by its key',
    );
    noScans(repeat.scans);
  });

  // effective() (workshops/ledger.ts) reads what an entry's corrections add up to from its summary
  // `c:<entry>` by _id (not the ledger), the correction's summaries and the board refresh are by
  // _id as for an entry, and a repeated key is answered by the unique index (no look-up first).
  it('piece-work correction', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!);
    const worker = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, worker.id);
    const staff = await loggedIn('13800000001');
    const first = key('orig');
    const fields = { workerId: worker.id, taskId: shop.taskId, counted: '9', rejected: '1', date: dayKey(), note: '', idempotencyKey: first };
    await recordPost(staff, `/staff/workshops/${shop.id}/log`, `/staff/workshops/${shop.id}/entries`, fields);
    const original = await LedgerEntry.findOne({ idempotencyKey: first }).lean();
    const url = `/staff/workshops/${shop.id}/entries/${String(original!._id)}/correct`;
    const fix = { counted: '8', rejected: '1', reason: '点错了', idempotencyKey: key('fix') };
    const { scans } = await recordPost(staff, url, url, fix);
    assert.ok(await LedgerEntry.exists({ corrects: original!._id }));
    noScans(scans);
    // Sent again (a retry): the same correction, counted once.
    await recordPost(staff, url, url, fix);
    assert.equal(await LedgerEntry.countDocuments({ idempotencyKey: fix.idempotencyKey }), 1);
  });

  it('a correction sent twice with one key is stored once and answers the same (no key look-up first)', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!);
    const worker = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, worker.id);
    const staff = await actor(ctx.users.miaoxiStaff!);
    const orig = await ledger.logEntry(staff, shop.id, {
      workerId: worker.id,
      taskId: shop.taskId,
      counted: 10,
      rejected: 0,
      date: dayKey(),
      note: '',
      idempotencyKey: key('o'),
    });
    const input = { counted: 7, rejected: 1, reason: '复核', idempotencyKey: key('c') };
    const [a, b] = await Promise.all([0, 1].map(() => ledger.correctEntry(staff, shop.id, String(orig.entry._id), input)));
    const again = await ledger.correctEntry(staff, shop.id, String(orig.entry._id), input);
    assert.equal(await LedgerEntry.countDocuments({ idempotencyKey: input.idempotencyKey }), 1);
    assert.deepEqual([a!.duplicate, b!.duplicate].sort(), [false, true]);
    assert.equal(again.duplicate, true);
    assert.equal(String(again.entry._id), String(a!.entry._id));
    assert.equal((await ledger.effective(orig.entry)).accepted, 6);
    await assertSummariesMatchLedger(shop.id);
  });

  async function submitAccept(appId: string, postingId: string) {
    const emp = await loggedIn('13800000002');
    await recordPost(emp, `/employer/postings/${postingId}`, `/employer/applications/${appId}/accept`, {});
  }
});
