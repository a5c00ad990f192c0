import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Workshop } from '../../models/workshop.ts';
import { Task } from '../../models/task.ts';
import { Membership, membershipId } from '../../models/membership.ts';
import { Completion } from '../../models/completion.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { Dispute } from '../../models/dispute.ts';
import { WorkReport } from '../../models/work-report.ts';
import { csrfFrom } from '../helpers/app.ts';
import { dayKey } from '../../server/lib/format.ts';
import { attachIo } from '../../server/realtime/hub.ts';
import * as ledger from '../../server/workshops/ledger.ts';
import { boardState, type BoardState } from '../../server/workshops/board.ts';
import { summaryIds } from '../../server/workshops/summaries.ts';
import { actor, key, seededShop } from './helpers.ts';

async function complete(residentId: string, category: string, center: string) {
  await Completion.create({
    resident: residentId,
    course: new Types.ObjectId(),
    category,
    center,
    residentName: 'x',
    courseTitle: '花灯组装培训',
    centerName: '庙西村',
    hours: 6,
    attendedPercent: 100,
    code: `C${new Types.ObjectId().toHexString()}`,
  });
}

describe('workshops: pages, training gate, scope and privacy', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(60_000);
    ctx = await freshDemo();
  });

  it('staff create a workshop with tasks; it shows on the public list with its rates', async () => {
    const ag = await loggedIn('13800000001');
    const bad = await submit(ag, '/staff/workshops/new', '/staff/workshops', { name: '', center: ctx.centers.miaoxi! });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /必须填写/);
    const res = await submit(ag, '/staff/workshops/new', '/staff/workshops', {
      name: '庙西绣花工坊',
      description: '十字绣',
      center: ctx.centers.miaoxi!,
      address: '村委',
      hours: '每天',
      lead: ctx.users.miaoxiStaff!,
      trainingCategory: '',
      trainingCourses: '',
      photos: '',
      active: 'on',
    });
    assert.equal(res.status, 302);
    const id = res.headers.location!.split('/').pop()!;
    const badRate = await submit(ag, `/staff/workshops/${id}`, `/staff/workshops/${id}/tasks`, { name: '绣花', unit: '件', rate: 'abc' });
    assert.equal(badRate.status, 400);
    assert.match(badRate.text, /请填写金额/);
    const ok = await submit(ag, `/staff/workshops/${id}`, `/staff/workshops/${id}/tasks`, { name: '绣花', unit: '件', rate: '2.5' });
    assert.equal(ok.status, 302);
    assert.equal((await Task.findOne({ workshop: id }).lean())!.rateFen, 250);
    assert.ok(await AuditEntry.exists({ action: 'workshop.create', targetId: id }));
    const list = await agent().get('/workshops');
    assert.match(list.text, /庙西绣花工坊/);
    const show = await agent().get(`/workshops/${id}`);
    assert.match(show.text, /¥2\.50/);
    const en = await agent().get(`/workshops/${id}?lang=en`);
    assert.match(en.text, /How to join/);
  });

  it('staff of another town cannot create a workshop for Miaoxi', async () => {
    const ag = await loggedIn('13800000005');
    const res = await submit(ag, '/staff/workshops/new', '/staff/workshops', { name: '越权工坊', center: ctx.centers.miaoxi!, trainingCategory: '' });
    assert.equal(res.status, 403);
    assert.equal(await Workshop.countDocuments({ name: '越权工坊' }), 0);
  });

  describe('the training gate', () => {
    it('admits a resident who completed the required training at once', async () => {
      const shop = await seededShop();
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
      await complete(r.id, 'handicraft', ctx.centers.miaoxi!);
      const ag = await loggedIn(r.phone);
      const res = await submit(ag, `/workshops/${shop.id}`, `/workshops/${shop.id}/join`, {});
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, '/me/work');
      assert.ok(await Membership.exists({ _id: membershipId(shop.id, r.id) }));
    });

    it('tells a resident without the training which course to take, and does not admit them', async () => {
      const shop = await seededShop();
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
      await complete(r.id, 'baking', ctx.centers.miaoxi!); // another category does not count
      const ag = await loggedIn(r.phone);
      const res = await submit(ag, `/workshops/${shop.id}`, `/workshops/${shop.id}/join`, {});
      assert.equal(res.status, 403);
      assert.match(res.text, /还没有完成这个工坊要求的培训/);
      assert.match(res.text, /href="\/courses\?category(=|&#x3D;)handicraft"/);
      assert.equal(await Membership.countDocuments({ _id: membershipId(shop.id, r.id) }), 0);
    });

    it('staff can admit without the training only with a written reason, which is audited', async () => {
      const shop = await seededShop();
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
      const ag = await loggedIn('13800000001');
      const without = await submit(ag, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/members`, { phone: r.phone, reason: '' });
      assert.equal(without.status, 400);
      assert.match(without.text, /特批理由/);
      assert.equal(await Membership.countDocuments({ _id: membershipId(shop.id, r.id) }), 0);
      const withReason = await submit(ag, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/members`, {
        phone: r.phone,
        reason: '有多年扎灯经验，下期补训',
      });
      assert.equal(withReason.status, 302);
      const m = await Membership.findById(membershipId(shop.id, r.id)).lean();
      assert.equal(m!.override, true);
      const a = await AuditEntry.findOne({ action: 'workshop.member.override', targetId: r.id }).lean();
      const details = a!.details as unknown as Map<string, string> | Record<string, string>;
      assert.equal(details instanceof Map ? details.get('reason') : details.reason, '有多年扎灯经验，下期补训');
    });

    it('staff admit a trained resident without a reason', async () => {
      const shop = await seededShop();
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
      await complete(r.id, 'handicraft', ctx.centers.miaoxi!);
      const ag = await loggedIn('13800000001');
      const res = await submit(ag, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/members`, { phone: r.phone, reason: '' });
      assert.equal(res.status, 302);
      assert.equal((await Membership.findById(membershipId(shop.id, r.id)).lean())!.override, false);
    });
  });

  it('staff of another town (Xunqiao) can neither log nor see the Miaoxi ledger', async () => {
    const shop = await seededShop();
    const xq = await loggedIn('13800000005');
    for (const url of [
      `/staff/workshops/${shop.id}`,
      `/staff/workshops/${shop.id}/log`,
      `/staff/workshops/${shop.id}/ledger`,
      `/staff/workshops/${shop.id}/periods`,
    ]) {
      const res = await xq.get(url);
      assert.equal(res.status, 403, url);
      assert.doesNotMatch(res.text, /金士媖/);
    }
    const before = await LedgerEntry.countDocuments({ workshop: shop.id });
    const miaoxi = await loggedIn('13800000001');
    const page = await miaoxi.get(`/staff/workshops/${shop.id}/log`);
    const token = /name="_csrf" value="([^"]+)"/.exec((await xq.get('/staff')).text)![1]!;
    const res = await xq
      .post(`/staff/workshops/${shop.id}/entries`)
      .type('form')
      .send({
        _csrf: token,
        workerId: ctx.users.resident,
        taskId: shop.tasks[0]!.id,
        counted: '5',
        rejected: '0',
        date: dayKey(),
        idempotencyKey: key('xq'),
      });
    assert.equal(res.status, 403);
    assert.equal(await LedgerEntry.countDocuments({ workshop: shop.id }), before);
    assert.equal(page.status, 200);
    const list = await xq.get('/staff/workshops');
    assert.doesNotMatch(list.text, /庙西彩灯共富工坊/);
    const reports = await xq.get(`/staff/reports?center=${ctx.centers.miaoxi}`);
    assert.equal(reports.status, 403);
  });

  it('a resident sees only their own earnings', async () => {
    const shop = await seededShop();
    const ag = await loggedIn('13800000003');
    const me = await ag.get('/me/work');
    assert.equal(me.status, 200);
    const month = await WorkSummary.findById(summaryIds.workerMonth(ctx.users.resident!, shop.id, dayKey().slice(0, 7))).lean();
    const fmt = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' }).format((month?.amountFen ?? 0) / 100);
    assert.ok(me.text.includes(fmt), `shows own month total ${fmt}`);
    assert.match(me.text, /<input type="hidden" name="date" value="\d{4}-\d{2}-\d{2}">/, 'each day to confirm names its date');
    for (const other of ['金美女', '金小芬', '王爱琴', '陈桂英']) assert.ok(!me.text.includes(other), `no ${other}`);
    for (const url of [`/staff/workshops/${shop.id}/ledger`, `/staff/workshops/${shop.id}/log`, '/staff/reports'])
      assert.equal((await ag.get(url)).status, 403, url);
  });

  it('a worker confirms a day or says the count is wrong; staff answer', async () => {
    const shop = await seededShop();
    const staff = await actor(ctx.users.miaoxiStaff!);
    await ledger.logEntry(staff, shop.id, {
      workerId: ctx.users.lowIncome!,
      taskId: shop.tasks[0]!.id,
      counted: 3,
      rejected: 0,
      date: dayKey(),
      note: '',
      idempotencyKey: key(),
    });
    const ag = await loggedIn('13800000004');
    const noComment = await submit(ag, '/me/work', `/me/work/${shop.id}/answer`, { date: dayKey(), wrong: '1', comment: '' });
    assert.equal(noComment.status, 302);
    const res = await submit(ag, '/me/work', `/me/work/${shop.id}/answer`, { date: dayKey(), wrong: '1', comment: '我交了 30 盏' });
    assert.equal(res.status, 302);
    const d = await Dispute.findOne({ worker: ctx.users.lowIncome, status: 'open' }).lean();
    assert.ok(d);
    const staffAg = await loggedIn('13800000001');
    const page = await staffAg.get(`/staff/workshops/${shop.id}`);
    assert.match(page.text, /我交了 30 盏/);
    const ans = await submit(staffAg, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/disputes/${d!._id}`, { reply: '已核对，补登 27 盏' });
    assert.equal(ans.status, 302);
    assert.equal((await Dispute.findById(d!._id).lean())!.status, 'resolved');
  });

  it('a worker reports their own count; it counts only once staff confirm it', async () => {
    const shop = await seededShop();
    const ag = await loggedIn('13800000003');
    const page = await ag.get('/me/work');
    const m = new RegExp(
      `action="/me/work/${shop.id}/report"><input type="hidden" name="_csrf" value="[^"]+">\\s*<input type="hidden" name="idempotencyKey" value="([^"]+)"`,
    ).exec(page.text);
    assert.ok(m, 'the report form carries an idempotency key');
    const fields = { _csrf: csrfFrom(page.text), idempotencyKey: m[1]!, taskId: shop.tasks[1]!.id, counted: '15', date: dayKey(), note: '在家做的' };
    for (let i = 0; i < 2; i++) assert.equal((await ag.post(`/me/work/${shop.id}/report`).type('form').send(fields)).status, 302);
    assert.equal(await WorkReport.countDocuments({ idempotencyKey: m[1]! }), 1);
    const report = await WorkReport.findOne({ idempotencyKey: m[1]! }).lean();
    assert.equal(await LedgerEntry.countDocuments({ idempotencyKey: `report:${String(report!._id)}` }), 0, 'pending: not in the ledger');
    const staffAg = await loggedIn('13800000001');
    const manage = await staffAg.get(`/staff/workshops/${shop.id}`);
    assert.match(manage.text, /在家做的/);
    for (let i = 0; i < 2; i++) {
      const r = await submit(staffAg, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/reports/${String(report!._id)}`, {
        decision: 'confirm',
        counted: '15',
        rejected: '1',
        reply: '',
      });
      assert.equal(r.status, 302);
    }
    const entries = await LedgerEntry.find({ idempotencyKey: `report:${String(report!._id)}` }).lean();
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.accepted, 14);
    assert.equal((await WorkReport.findById(report!._id).lean())!.status, 'confirmed');
  });

  it('low-income status and full names never appear on public pages or the live board', async () => {
    const shop = await seededShop();
    const staff = await actor(ctx.users.miaoxiStaff!);
    await ledger.logEntry(staff, shop.id, {
      workerId: ctx.users.lowIncome!,
      taskId: shop.tasks[0]!.id,
      counted: 40,
      rejected: 0,
      date: dayKey(),
      note: '',
      idempotencyKey: key(),
    });
    for (const url of ['/workshops', `/workshops/${shop.id}`, `/workshops/${shop.id}/live`, `/workshops/${shop.id}/live?lang=en`]) {
      const res = await agent().get(url);
      assert.equal(res.status, 200);
      assert.doesNotMatch(res.text, /低收入|low-income|lowIncome/i, url);
      assert.doesNotMatch(res.text, /金美女|13800000004/, url);
    }
    const board = await boardState(shop.id);
    const json = JSON.stringify(board);
    assert.doesNotMatch(json, /金美女|lowIncome|amount|Fen/);
    assert.doesNotMatch(json, /美女|士媖/, 'no names at all on the public wall');
    assert.doesNotMatch(JSON.stringify(board.stations), /name/);
    assert.ok(
      board.stations.some((st) => st.accepted >= 40 && st.station >= 1),
      'pieces by work station',
    );
  });

  it("the public wall shows work stations in station order, names only to the workshop's own staff", async () => {
    const shop = await seededShop();
    const staff = await actor(ctx.users.miaoxiStaff!);
    // The low-income resident makes fewer pieces than the other: the wall must not rank them.
    await ledger.logEntry(staff, shop.id, {
      workerId: ctx.users.resident!,
      taskId: shop.tasks[0]!.id,
      counted: 90,
      rejected: 0,
      date: dayKey(),
      note: '',
      idempotencyKey: key(),
    });
    await ledger.logEntry(staff, shop.id, {
      workerId: ctx.users.lowIncome!,
      taskId: shop.tasks[0]!.id,
      counted: 3,
      rejected: 0,
      date: dayKey(),
      note: '',
      idempotencyKey: key(),
    });
    const members = await Membership.find({ workshop: new Types.ObjectId(shop.id) })
      .sort({ joinedAt: 1, _id: 1 })
      .lean();
    const stationOf = (id: string) => members.findIndex((m) => String(m.resident) === id) + 1;
    const board = await boardState(shop.id);
    const numbers = board.stations.map((st) => st.station);
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => a - b),
      'ordered by station, not by output',
    );
    for (const who of [ctx.users.resident!, ctx.users.lowIncome!]) assert.ok(numbers.includes(stationOf(who)), `station of ${who} on the board`);

    const pub = await agent().get(`/workshops/${shop.id}/live`);
    assert.match(pub.text, new RegExp(`data-station="${stationOf(ctx.users.lowIncome!)}"`));
    assert.match(pub.text, /号工位/);
    assert.doesNotMatch(pub.text, /金美女|美女|金士媖|士媖/, 'no names for the public');
    const outOfScope = await loggedIn('13800000005');
    assert.doesNotMatch((await outOfScope.get(`/workshops/${shop.id}/live`)).text, /金美女|金士媖/, 'nor for staff of another center');
    const own = await loggedIn('13800000001');
    assert.match((await own.get(`/workshops/${shop.id}/live`)).text, /金美女/, "the workshop's staff see who is at which station");
  });

  it('the live board carries markers and is pushed over socket.io on every entry', async () => {
    const shop = await seededShop();
    const page = await agent().get(`/workshops/${shop.id}/live`);
    assert.match(page.text, /data-total="\d+"/);
    assert.match(page.text, new RegExp(`data-task-id="${shop.tasks[0]!.id}"`));
    assert.match(page.text, /\/js\/workshops-live\.js/);
    const events: { room: string; event: string; payload: BoardState }[] = [];
    attachIo({ to: (room: string) => ({ emit: (event: string, payload: BoardState) => void events.push({ room, event, payload }) }) } as never);
    try {
      const before = await boardState(shop.id);
      const staff = await actor(ctx.users.miaoxiStaff!);
      await ledger.logEntry(staff, shop.id, {
        workerId: ctx.users.resident!,
        taskId: shop.tasks[0]!.id,
        counted: 9,
        rejected: 0,
        date: dayKey(),
        note: '',
        idempotencyKey: key(),
      });
      for (let i = 0; i < 50 && !events.length; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(events[0]!.room, `workshop:${shop.id}`);
      assert.equal(events[0]!.event, 'workshop:board');
      assert.equal(events[0]!.payload.total, before.total + 9);
    } finally {
      attachIo(undefined);
    }
  });
});
