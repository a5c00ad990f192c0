import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { loggedIn, submit, csrfFrom } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { Task } from '../../models/task.ts';
import { Membership } from '../../models/membership.ts';
import { Workshop } from '../../models/workshop.ts';
import { User } from '../../models/user.ts';
import { subtreeIds } from '../../server/centers/tree.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { dayKey } from '../../server/lib/format.ts';
import * as ledger from '../../server/workshops/ledger.ts';
import * as periods from '../../server/workshops/periods.ts';
import { rebuildSummaries, summaryIds } from '../../server/workshops/summaries.ts';
import { figures } from '../../server/workshops/reports.ts';
import { commandsOf } from '../helpers/commands.ts';
import { actor, addMember, assertSummariesMatchLedger, key, makeShop, seededShop } from './helpers.ts';

const today = () => dayKey();
function monthsAgo(n: number): string {
  const [y, m] = today().split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 - n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

describe('workshops: the piece-work ledger', () => {
  let ctx: SeedContext;
  let staff: Express.User;
  before(async function () {
    this.timeout(60_000);
    ctx = await freshDemo();
    staff = await actor(ctx.users.miaoxiStaff!);
  });

  it('the seeded ledger and its summaries agree, and rebuilding changes nothing', async () => {
    const shop = await seededShop();
    assert.ok((await LedgerEntry.countDocuments({ workshop: shop.id })) > 100, 'weeks of demo entries');
    await assertSummariesMatchLedger(shop.id);
    await rebuildSummaries(shop.id);
    await assertSummariesMatchLedger(shop.id);
  });

  it('the same idempotency key twice gives one entry, and the form answers the same way both times', async () => {
    const shop = await seededShop();
    const ag = await loggedIn('13800000001');
    const page = await ag.get(`/staff/workshops/${shop.id}/log`);
    const idem = /name="idempotencyKey" value="([^"]+)"/.exec(page.text)![1]!;
    const fields = {
      workerId: ctx.users.resident!,
      taskId: shop.tasks[0]!.id,
      counted: '12',
      rejected: '2',
      date: today(),
      note: '',
      idempotencyKey: idem,
      _csrf: csrfFrom(page.text),
    };
    const first = await ag.post(`/staff/workshops/${shop.id}/entries`).type('form').send(fields);
    const second = await ag.post(`/staff/workshops/${shop.id}/entries`).type('form').send(fields);
    assert.equal(first.status, 302);
    assert.equal(second.status, 302);
    assert.equal(second.headers.location, first.headers.location);
    assert.equal(await LedgerEntry.countDocuments({ idempotencyKey: idem }), 1);
    const e = await LedgerEntry.findOne({ idempotencyKey: idem }).lean();
    assert.equal(e!.accepted, 10);
    assert.equal(e!.amountFen, 10 * shop.tasks[0]!.rateFen);
    const after = await ag.get(`/staff/workshops/${shop.id}/log`);
    assert.match(after.text, /已登记/);
  });

  it('20 concurrent submissions with one key give one entry and count once', async function () {
    this.timeout(60_000);
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 35 });
    const w = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, w.id);
    const k = key('same');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        ledger.logEntry(staff, shop.id, { workerId: w.id, taskId: shop.taskId, counted: 7, rejected: 0, date: today(), note: '', idempotencyKey: k }),
      ),
    );
    assert.equal(await LedgerEntry.countDocuments({ idempotencyKey: k }), 1);
    assert.equal(results.filter((r) => !r.duplicate).length, 1);
    assert.ok(results.every((r) => String(r.entry._id) === String(results[0]!.entry._id)));
    const day = await WorkSummary.findById(summaryIds.workerDay(w.id, shop.id, today())).lean();
    assert.equal(day!.accepted, 7);
    assert.equal(day!.amountFen, 7 * 35);
  });

  it('100 concurrent entries for one worker give the exact total', async function () {
    this.timeout(90_000);
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 13 });
    const w = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, w.id);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        ledger.logEntry(staff, shop.id, {
          workerId: w.id,
          taskId: shop.taskId,
          counted: (i % 7) + 1,
          rejected: i % 2,
          date: today(),
          note: '',
          idempotencyKey: key('hundred'),
        }),
      ),
    );
    const expectedAccepted = Array.from({ length: 100 }, (_, i) => (i % 7) + 1 - (i % 2)).reduce((a, b) => a + b, 0);
    assert.equal(await LedgerEntry.countDocuments({ workshop: shop.id }), 100);
    const month = await WorkSummary.findById(summaryIds.workerMonth(w.id, shop.id, today().slice(0, 7))).lean();
    assert.equal(month!.accepted, expectedAccepted);
    assert.equal(month!.amountFen, expectedAccepted * 13);
    const shopDay = await WorkSummary.findById(summaryIds.shopDay(shop.id, today())).lean();
    assert.equal(shopDay!.amountFen, expectedAccepted * 13);
    assert.equal(shopDay!.entries, 100);
    await assertSummariesMatchLedger(shop.id);
  });

  // Group commit (server/store/batches.ts): entries logged while the workshop's queue is busy are
  // written together. Each entry still answers on its own: a repeated key once, a closed month
  // refused, the rest counted exactly once.
  it('entries logged at once are written in batches, each answering for itself', async function () {
    this.timeout(90_000);
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 11 });
    const [a, b] = await Promise.all([0, 1].map(() => makeUser({ role: 'resident', center: ctx.centers.miaoxi! })));
    for (const w of [a!, b!]) await addMember(shop.id, w.id);
    const last = monthsAgo(1);
    await ledger.logEntry(staff, shop.id, {
      workerId: a!.id,
      taskId: shop.taskId,
      counted: 1,
      rejected: 0,
      date: `${last}-03`,
      note: '',
      idempotencyKey: key(),
    });
    assert.ok((await periods.closePeriod(staff, { _id: new Types.ObjectId(shop.id), center: new Types.ObjectId(shop.center), name: 'x' }, last)).ok);
    const twice = key('twice');
    const input = (i: number) => ({
      workerId: (i % 2 ? a : b)!.id,
      taskId: shop.taskId,
      counted: (i % 5) + 1,
      rejected: 0,
      date: i === 7 ? `${last}-20` : today(),
      note: '',
      idempotencyKey: i === 3 || i === 4 ? twice : key('batch'),
    });
    let outcomes: PromiseSettledResult<Awaited<ReturnType<typeof ledger.logEntry>>>[] = [];
    const { commands } = await commandsOf(async () => {
      outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => ledger.logEntry(staff, shop.id, input(i))));
    });
    const refused = outcomes[7]!;
    assert.ok(refused.status === 'rejected' && refused.reason instanceof ledger.LedgerRefusal && refused.reason.key === 'workshops.errors.periodClosed');
    const stored = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [{ i, ...o.value }] : []));
    assert.equal(stored.length, 39, 'every other entry is answered');
    const [three, four] = [stored.find((s) => s.i === 3)!, stored.find((s) => s.i === 4)!];
    assert.equal(String(three.entry._id), String(four.entry._id), 'a repeated key answers with the one entry');
    assert.equal([three, four].filter((s) => s.duplicate).length, 1);
    assert.equal(await LedgerEntry.countDocuments({ workshop: shop.id, date: today() }), 38);
    // Whichever of the two with one key reached the queue first is the one stored.
    const expected =
      three.entry.accepted +
      Array.from({ length: 40 }, (_, i) => i)
        .filter((i) => ![3, 4, 7].includes(i))
        .reduce((sum, i) => sum + (i % 5) + 1, 0);
    assert.equal((await WorkSummary.findById(summaryIds.shopDay(shop.id, today())).lean())!.accepted, expected);
    await assertSummariesMatchLedger(shop.id);
    // Written together: fewer inserts and summary updates than entries (one at a time would be 38 and 152).
    const inserts = commands.filter((c) => c.name === 'insert' && c.collection === 'ledgerentries').length;
    const updates = commands.filter((c) => c.name === 'update' && c.collection === 'worksummaries').length;
    assert.ok(inserts < 20, `${inserts} inserts for 39 entries`);
    assert.ok(updates < 80, `${updates} summary updates for 38 entries`);
  });

  it('a rate change does not alter past amounts', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 80 });
    const w = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, w.id);
    const before = await ledger.logEntry(staff, shop.id, {
      workerId: w.id,
      taskId: shop.taskId,
      counted: 10,
      rejected: 0,
      date: today(),
      note: '',
      idempotencyKey: key(),
    });
    const ag = await loggedIn('13800000001');
    const res = await submit(ag, `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/tasks/${shop.taskId}`, { rate: '1.20', active: 'on' });
    assert.equal(res.status, 302);
    assert.equal((await Task.findById(shop.taskId).lean())!.rateFen, 120);
    assert.ok(await AuditEntry.exists({ action: 'workshop.task.rate', targetId: shop.taskId }));
    const after = await ledger.logEntry(staff, shop.id, {
      workerId: w.id,
      taskId: shop.taskId,
      counted: 10,
      rejected: 0,
      date: today(),
      note: '',
      idempotencyKey: key(),
    });
    assert.equal((await LedgerEntry.findById(before.entry._id).lean())!.amountFen, 800);
    assert.equal(after.entry.amountFen, 1200);
    const month = await WorkSummary.findById(summaryIds.workerMonth(w.id, shop.id, today().slice(0, 7))).lean();
    assert.equal(month!.amountFen, 2000);
  });

  it('corrections are new entries; a closed period cannot change and its correction goes into the current one', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 50 });
    const w = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, w.id);
    const last = monthsAgo(1);
    const orig = await ledger.logEntry(staff, shop.id, {
      workerId: w.id,
      taskId: shop.taskId,
      counted: 20,
      rejected: 0,
      date: `${last}-10`,
      note: '',
      idempotencyKey: key(),
    });
    // Open period: the correction lands in the same month.
    const c1 = await ledger.correctEntry(staff, shop.id, String(orig.entry._id), { counted: 18, rejected: 1, reason: '数错了', idempotencyKey: key() });
    assert.equal(c1.entry.period, last);
    assert.equal(c1.entry.accepted, -3);
    assert.equal(c1.entry.amountFen, -150);
    const closed = await periods.closePeriod(staff, { _id: new Types.ObjectId(shop.id), center: new Types.ObjectId(shop.center), name: 'x' }, last);
    assert.ok(closed.ok);
    const period = await periods.getPeriod(shop.id, last);
    assert.equal(period!.statements[0]!.amountFen, 17 * 50);
    // Nothing more can be logged into the closed month...
    await assert.rejects(
      ledger.logEntry(staff, shop.id, { workerId: w.id, taskId: shop.taskId, counted: 5, rejected: 0, date: `${last}-11`, note: '', idempotencyKey: key() }),
      (err: unknown) => err instanceof ledger.LedgerRefusal && err.key === 'workshops.errors.periodClosed',
    );
    // ...also not through the form (409, the form comes back).
    const ag = await loggedIn('13800000001');
    const res = await submit(ag, `/staff/workshops/${shop.id}/log`, `/staff/workshops/${shop.id}/entries`, {
      workerId: w.id,
      taskId: shop.taskId,
      counted: '5',
      rejected: '0',
      date: `${last}-11`,
      note: '',
      idempotencyKey: key(),
    });
    assert.equal(res.status, 409);
    assert.match(res.text, /已经结算/);
    // A correction of a closed month goes into the current month and says so.
    const c2 = await ledger.correctEntry(staff, shop.id, String(orig.entry._id), {
      counted: 20,
      rejected: 0,
      reason: '复核后数量是对的',
      idempotencyKey: key(),
    });
    assert.equal(c2.entry.period, today().slice(0, 7));
    assert.equal(c2.entry.forClosedPeriod, last);
    assert.equal(c2.entry.amountFen, 150);
    assert.ok(await AuditEntry.exists({ action: 'workshop.entry.correct', targetId: String(orig.entry._id) }), 'corrections are audited');
    const frozen = await periods.getPeriod(shop.id, last);
    assert.deepEqual(
      frozen!.statements.map((s) => s.amountFen),
      [850],
      'the closed statement never changes',
    );
    assert.equal((await periods.statementsFromLedger(shop.id, last))[0]!.amountFen, 850, 'the closed month in the ledger never changes');
    // Marking a worker paid records date and method; the amount stays.
    const paid = await submit(ag, `/staff/workshops/${shop.id}/periods/${last}`, `/staff/workshops/${shop.id}/periods/${last}/paid/${w.id}`, {
      paidAt: today(),
      method: 'wechat',
    });
    assert.equal(paid.status, 302);
    const after = (await periods.getPeriod(shop.id, last))!.statements[0]!;
    assert.equal(after.method, 'wechat');
    assert.equal(after.paidAt, today());
    assert.equal(after.amountFen, 850);
    // The ledger is append-only: the original is untouched.
    assert.equal((await LedgerEntry.findById(orig.entry._id).lean())!.amountFen, 1000);
    await assertSummariesMatchLedger(shop.id);
  });

  it('exports a closed period as CSV with a BOM and Chinese text, and marks payments', async () => {
    const shop = await seededShop();
    const ag = await loggedIn('13800000001');
    const list = await ag.get(`/staff/workshops/${shop.id}/periods`);
    const month = /\/periods\/(\d{4}-\d{2})"/.exec(list.text)![1]!;
    const res = await ag
      .get(`/staff/workshops/${shop.id}/periods/${month}/export.csv`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /text\/csv; charset=utf-8/);
    const buf = res.body as Buffer;
    assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const text = buf.toString('utf8').slice(1);
    const lines = text.trim().split('\r\n');
    assert.match(lines[0]!, /^工坊,月份,姓名,手机号,交来数量,不合格,合格数量,金额（元）/);
    assert.ok(lines.some((l) => l.includes('金士媖')));
    const period = await periods.getPeriod(shop.id, month);
    const fromLedger = await periods.statementsFromLedger(shop.id, month);
    assert.equal(
      period!.amountFen,
      fromLedger.reduce((a, s) => a + s.amountFen, 0),
    );
    const totalLine = lines[lines.length - 1]!.split(',');
    const yuan = totalLine[7]!;
    assert.equal(Math.round(Number(yuan) * 100), period!.amountFen);
    for (const s of period!.statements) {
      const line = lines.find((l) => l.includes(s.name))!.split(',');
      assert.equal(Math.round(Number(line[7]) * 100), s.amountFen);
    }
    // Formula-looking text is defused; phone numbers stay text.
    const risky = periods.periodCsv(
      { month, statements: [{ name: '=HYPERLINK("x")', phone: '13800000003', counted: 1, rejected: 0, accepted: 1, amountFen: -5 }] },
      (k) => k,
      '工坊',
    );
    assert.match(risky, /'=HYPERLINK/);
    assert.match(risky, /\t13800000003/);
    assert.match(risky, /-0\.05/);
    // Printable statement for one worker.
    const st = await ag.get(`/staff/workshops/${shop.id}/periods/${month}/statements/${ctx.users.resident}`);
    assert.equal(st.status, 200);
    assert.match(st.text, /计件工资对账单/);
  });

  it('reports equal the ledger exactly, including low-income figures', async () => {
    const shop = await seededShop();
    const month = today().slice(0, 7);
    const [f] = await figures([shop.id], [month]);
    const entries = await LedgerEntry.find({ workshop: shop.id, period: month }).lean();
    const per = new Map<string, number>();
    for (const e of entries) per.set(String(e.worker), (per.get(String(e.worker)) ?? 0) + e.amountFen);
    const low = new Set((await User.find({ lowIncome: true }, { _id: 1 }).lean()).map((u) => String(u._id)));
    assert.equal(
      f!.paidFen,
      entries.reduce((a, e) => a + e.amountFen, 0),
    );
    assert.equal(f!.activeWorkers, [...per.values()].filter((v) => v !== 0).length);
    assert.equal(
      f!.paidLowIncomeFen,
      [...per.entries()].filter(([id]) => low.has(id)).reduce((a, [, v]) => a + v, 0),
    );
    assert.equal(f!.lowIncomeWorkers, [...per.entries()].filter(([id, v]) => low.has(id) && v !== 0).length);
    assert.ok(f!.lowIncomeWorkers > 0);
    // A staff member's page covers every workshop of their center and those below it.
    const ag = await loggedIn('13800000001');
    const { staffCenter } = (await User.findOne({ phone: '13800000001' }, { staffCenter: 1 }).lean())!;
    const paidOnPage = async () => {
      const page = await ag.get('/staff/reports');
      assert.equal(page.status, 200);
      assert.match(page.text, /\/vendor\/chart\.umd\.js/);
      return Number(/data-report="paid" data-fen="(-?\d+)"/.exec(page.text)?.[1]);
    };
    const inScope = (await Workshop.find({ center: { $in: await subtreeIds(String(staffCenter)) } }, { _id: 1 }).lean()).map((w) => String(w._id));
    assert.ok(inScope.includes(shop.id));
    const before = await paidOnPage();
    assert.equal(before, (await figures(inScope, [month]))[0]!.paidFen);
    // The page is cached, but an entry logged here shows on the next view.
    const member = (await Membership.findOne({ workshop: shop.id }).lean())!;
    const { entry } = await ledger.logEntry(staff, shop.id, {
      workerId: String(member.resident),
      taskId: shop.tasks[0]!.id,
      counted: 5,
      rejected: 0,
      date: today(),
      note: '',
      idempotencyKey: key('report'),
    });
    assert.ok(entry.amountFen > 0);
    assert.equal(await paidOnPage(), before + entry.amountFen);
  });
});
