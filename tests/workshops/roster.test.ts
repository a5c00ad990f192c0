import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Membership } from '../../models/membership.ts';
import { Order } from '../../models/order.ts';
import { WorkshopRoster } from '../../models/workshop-roster.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { dayKey } from '../../server/lib/format.ts';
import * as ledger from '../../server/workshops/ledger.ts';
import { boardState, publishBoard } from '../../server/workshops/board.ts';
import { readRoster } from '../../server/workshops/roster.ts';
import { rebuildSummaries, repairDirtySummaries, summaryIds } from '../../server/workshops/summaries.ts';
import { actor, addMember, assertSummariesMatchLedger, key, makeShop, seededShop } from './helpers.ts';

// The live board is refreshed after every entry from the workshop's roster (workshops/roster.ts:
// members in joining order = stations, open orders), read by _id instead of querying memberships
// and orders. These tests check that the roster says what those collections say.

/** Stations and open orders as the memberships and orders themselves give them. */
async function fromCollections(workshopId: string) {
  const ws = new Types.ObjectId(workshopId);
  const members = await Membership.find({ workshop: ws }).sort({ joinedAt: 1, _id: 1 }).lean();
  const orders = await Order.find({ workshop: ws, status: 'open' }).sort({ _id: 1 }).lean();
  return { residents: members.map((m) => String(m.resident)), orders: orders.map((o) => ({ id: String(o._id), quantity: o.quantity })) };
}

async function asRoster(workshopId: string) {
  const r = await readRoster(workshopId);
  return { residents: r.members.map((m) => m.resident), orders: r.orders };
}

describe('workshops: the board roster (stations and open orders read by _id)', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(60_000);
    ctx = await freshDemo();
  });

  it('a member admitted by staff gets the next station, an order taken shows on the board, and a rebuild gives the same roster', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!);
    const first = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, first.id);
    const second = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn('13800000001');
    const admitted = await submit(ag, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/members`, { phone: second.phone, reason: '' });
    assert.equal(admitted.status, 302);
    const ordered = await submit(ag, `/staff/workshops/${shop.id}/orders`, `/staff/workshops/${shop.id}/orders`, {
      client: '华灯公司',
      taskId: shop.taskId,
      quantity: '50',
      rate: '1',
      deadline: dayKey(new Date(Date.now() + 5 * 86_400_000)),
    });
    assert.equal(ordered.status, 302);
    const truth = await fromCollections(shop.id);
    assert.deepEqual(truth.residents, [first.id, second.id]);
    assert.equal(truth.orders.length, 1);
    assert.deepEqual(await asRoster(shop.id), truth);

    // The second member's pieces show at station 2, against the order.
    const staff = await actor(ctx.users.miaoxiStaff!);
    const input = {
      workerId: second.id,
      taskId: shop.taskId,
      counted: 7,
      rejected: 0,
      date: dayKey(),
      note: '',
      idempotencyKey: key(),
      orderId: truth.orders[0]!.id,
    };
    await ledger.logEntry(staff, shop.id, input);
    const board = await boardState(shop.id);
    assert.deepEqual(board.stations, [{ station: 2, accepted: 7 }]);
    assert.deepEqual(board.orders, [{ id: truth.orders[0]!.id, done: 7, quantity: 50 }]);
    const own = await loggedIn('13800000001');
    assert.match((await own.get(`/workshops/${shop.id}/live`)).text, new RegExp(second.name), "the workshop's staff see who is at station 2");

    await WorkshopRoster.updateOne({ _id: shop.id }, { $set: { members: [], orders: [] } });
    await rebuildSummaries(shop.id);
    assert.deepEqual(await asRoster(shop.id), truth, 'the rebuild restores the roster');
    await assertSummariesMatchLedger(shop.id);
  });

  it('a workshop without a roster (older data) shows the same board, and the repair job builds its roster', async () => {
    const shop = await seededShop();
    const truth = await fromCollections(shop.id);
    const before = await boardState(shop.id);
    await WorkshopRoster.deleteOne({ _id: shop.id });
    await publishBoard(shop.id); // drops the cached board: counted again without a roster
    assert.deepEqual(await boardState(shop.id), before);
    assert.equal(await WorkshopRoster.exists({ _id: shop.id }), null, 'a read does not write');
    assert.ok((await repairDirtySummaries()) >= 1);
    assert.deepEqual(await asRoster(shop.id), truth);
    assert.match((await agent().get(`/workshops/${shop.id}/live`)).text, /data-total="\d+"/);
  });

  it('corrections of an entry add up in its summary, and the correction form shows what stands now', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 50 });
    const w = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, w.id);
    const staff = await actor(ctx.users.miaoxiStaff!);
    const { entry } = await ledger.logEntry(staff, shop.id, {
      workerId: w.id,
      taskId: shop.taskId,
      counted: 20,
      rejected: 2,
      date: dayKey(),
      note: '',
      idempotencyKey: key(),
    });
    const id = String(entry._id);
    // Two staff correct the same entry at once to different counts: each correction is made against what stands
    // when it lands (the ledger queue), so the entry ends at one of the two, never at a sum of both differences.
    await Promise.all([
      ledger.correctEntry(staff, shop.id, id, { counted: 15, rejected: 1, reason: '复核', idempotencyKey: key() }),
      ledger.correctEntry(staff, shop.id, id, { counted: 18, rejected: 0, reason: '复核', idempotencyKey: key() }),
    ]);
    const now = await ledger.effective(entry);
    assert.ok((now.counted === 15 && now.rejected === 1) || (now.counted === 18 && now.rejected === 0), JSON.stringify(now));
    assert.equal(now.corrections, 2);
    assert.equal(now.amountFen, now.accepted * 50);
    await assertSummariesMatchLedger(shop.id);

    // Data from before corrections totals: no `c:` summary and no roster. The next correction sums the ledger first.
    await WorkSummary.deleteOne({ _id: summaryIds.corrections(id) });
    await WorkshopRoster.deleteOne({ _id: shop.id });
    await ledger.correctEntry(staff, shop.id, id, { counted: 10, rejected: 0, reason: '再复核', idempotencyKey: key() });
    const after = await ledger.effective(entry);
    assert.deepEqual([after.counted, after.rejected, after.corrections], [10, 0, 3]);
    assert.ok(await WorkshopRoster.exists({ _id: shop.id }), 'rebuilt with the summaries');
    await assertSummariesMatchLedger(shop.id);
    const ag = await loggedIn('13800000001');
    const form = await ag.get(`/staff/workshops/${shop.id}/entries/${id}/correct`);
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`${after.counted} − ${after.rejected} = ${after.accepted}`));
  });
});
