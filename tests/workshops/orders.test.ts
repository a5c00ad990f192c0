import assert from 'node:assert/strict';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Order } from '../../models/order.ts';
import { Batch } from '../../models/batch.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { dayKey } from '../../server/lib/format.ts';
import * as ledger from '../../server/workshops/ledger.ts';
import { boardState } from '../../server/workshops/board.ts';
import { ordersWithProgress } from '../../server/workshops/orders.ts';
import { computeSummaries, summaryIds, type EntryLike } from '../../server/workshops/summaries.ts';
import { actor, addMember, key, makeShop, seededShop } from './helpers.ts';

describe('workshops: orders and take-home batches', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(60_000);
    ctx = await freshDemo();
  });

  it('an order shows the accepted pieces logged against it, days left and risk', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 80 });
    const w = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, w.id);
    const ag = await loggedIn('13800000001');
    const soon = new Date(Date.now() + 2 * 86_400_000);
    const res = await submit(ag, `/staff/workshops/${shop.id}/orders`, `/staff/workshops/${shop.id}/orders`, {
      client: '华灯公司',
      taskId: shop.taskId,
      quantity: '100',
      rate: '1.2',
      deadline: dayKey(soon),
    });
    assert.equal(res.status, 302);
    const order = await Order.findOne({ workshop: shop.id }).lean();
    assert.equal(order!.rateFen, 120);
    const staff = await actor(ctx.users.miaoxiStaff!);
    await ledger.logEntry(staff, shop.id, {
      workerId: w.id,
      taskId: shop.taskId,
      counted: 30,
      rejected: 5,
      date: dayKey(),
      note: '',
      idempotencyKey: key(),
      orderId: String(order!._id),
    });
    const [p] = await ordersWithProgress(shop.id);
    assert.equal(p!.done, 25);
    assert.equal(p!.daysLeft, 2);
    assert.equal(p!.atRisk, true, '25% done two days before the deadline');
    const page = await ag.get(`/staff/workshops/${shop.id}/orders`);
    assert.match(page.text, /可能赶不上/);
    const live = await agent().get(`/workshops/${shop.id}/live`);
    assert.match(live.text, new RegExp(`data-order-id="${String(order!._id)}"`));
    const board = await boardState(shop.id);
    assert.deepEqual(board.orders, [{ id: String(order!._id), done: 25, quantity: 100 }]);
  });

  it('a returned batch becomes one ledger entry, even if recorded twice', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 50 });
    const w = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '周阿婆' });
    await addMember(shop.id, w.id);
    const ag = await loggedIn('13800000001');
    const issued = await submit(ag, `/staff/workshops/${shop.id}/orders`, `/staff/workshops/${shop.id}/batches`, {
      workerId: w.id,
      taskId: shop.taskId,
      orderId: '',
      quantity: '40',
    });
    assert.equal(issued.status, 302);
    const page = await ag.get(`/staff/workshops/${shop.id}/orders`);
    assert.match(page.text, /周阿婆 40/);
    const b = await Batch.findOne({ workshop: shop.id }).lean();
    for (let i = 0; i < 2; i++) {
      const r = await submit(ag, `/staff/workshops/${shop.id}/orders`, `/staff/workshops/${shop.id}/batches/${String(b!._id)}/return`, {
        returned: '38',
        rejected: '3',
      });
      assert.equal(r.status, 302);
    }
    assert.equal(await LedgerEntry.countDocuments({ workshop: shop.id }), 1);
    const e = await LedgerEntry.findOne({ workshop: shop.id }).lean();
    assert.equal(e!.accepted, 35);
    assert.equal(e!.amountFen, 35 * 50);
    assert.equal((await Batch.findById(b!._id).lean())!.status, 'returned');
    const m = await WorkSummary.findById(summaryIds.workerMonth(w.id, shop.id, dayKey().slice(0, 7))).lean();
    assert.equal(m!.amountFen, 1750);
  });

  it('the seeded order summaries agree with the ledger', async () => {
    const shop = await seededShop();
    const entries = (await LedgerEntry.find({ workshop: shop.id }).lean()) as unknown as EntryLike[];
    const expected = computeSummaries(entries);
    const orders = await Order.find({ workshop: shop.id }).lean();
    assert.ok(orders.length >= 1);
    for (const o of orders) {
      const live = await WorkSummary.findById(summaryIds.order(String(o._id))).lean();
      assert.equal(live?.accepted ?? 0, expected.get(summaryIds.order(String(o._id)))?.accepted ?? 0);
    }
  });
});

describe('workshops: photos', () => {
  before(async function () {
    this.timeout(60_000);
    await freshDemo();
  });

  it('staff upload a photo (checked by content); it shows on the public page', async () => {
    const { Workshop } = await import('../../models/workshop.ts');
    const shop = await seededShop();
    const ag = await loggedIn('13800000001');
    const page = await ag.get(`/staff/workshops/${shop.id}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    // A 1×1 PNG.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
    const res = await ag.post(`/staff/workshops/${shop.id}/photos?_csrf=${encodeURIComponent(token)}`).attach('photos', png, 'lantern.png');
    assert.equal(res.status, 302);
    const w = await Workshop.findById(shop.id).lean();
    assert.equal(w!.photos.length, 1);
    const pub = await agent().get(`/workshops/${shop.id}`);
    assert.ok(pub.text.includes(`src="${w!.photos[0]}"`));
    const img = await agent().get(w!.photos[0]!);
    assert.equal(img.status, 200);
    const fake = await ag
      .post(`/staff/workshops/${shop.id}/photos?_csrf=${encodeURIComponent(token)}`)
      .attach('photos', Buffer.from('<script>alert(1)</script>'), 'x.png');
    assert.equal(fake.status, 302);
    assert.equal((await Workshop.findById(shop.id).lean())!.photos.length, 1, 'a non-image is refused');
    // ...with a message about photos, not "images, PDFs or documents".
    const told = (await ag.get(`/staff/workshops/${shop.id}`)).text;
    assert.match(told, /只能上传照片/);
    assert.doesNotMatch(told, /PDF 或文档/);

    // Deleting a photo asks first, then removes it and its file, audited; others' centers cannot.
    const url = w!.photos[0]!;
    const manage = await ag.get(`/staff/workshops/${shop.id}`);
    assert.match(manage.text, new RegExp(`action="/staff/workshops/${shop.id}/photos/delete"`));
    const outsider = await loggedIn('13800000005');
    assert.equal((await submit(outsider, '/staff', `/staff/workshops/${shop.id}/photos/delete`, { photo: url })).status, 403);
    const ask = await submit(ag, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/photos/delete`, { photo: url });
    assert.equal(ask.status, 200);
    assert.match(ask.text, /确定要删除这张照片吗/);
    assert.equal((await Workshop.findById(shop.id).lean())!.photos.length, 1, 'nothing deleted before the answer');
    const done = await submit(ag, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/photos/delete`, { photo: url, confirm: 'yes' });
    assert.equal(done.status, 302);
    assert.equal((await Workshop.findById(shop.id).lean())!.photos.length, 0);
    assert.equal((await agent().get(url)).status, 404, 'the file is gone');
    const { AuditEntry } = await import('../../models/audit-entry.ts');
    assert.ok(await AuditEntry.exists({ action: 'workshop.photos.delete', targetId: shop.id }));
    assert.equal(
      (
        await submit(ag, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/photos/delete`, {
          photo: '/files/000000000000000000000000',
          confirm: 'yes',
        })
      ).status,
      404,
    );
  });
});
