import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Types } from 'mongoose';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Task } from '../../models/task.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { dayKey } from '../../server/lib/format.ts';
import * as ledger from '../../server/workshops/ledger.ts';
import * as periods from '../../server/workshops/periods.ts';
import * as shops from '../../server/workshops/service.ts';
import { computeSummaries, summaryIds, type EntryLike } from '../../server/workshops/summaries.ts';
import { actor, addMember, key, makeShop } from './helpers.ts';

type Op =
  | { kind: 'log'; worker: number; task: number; counted: number; rejected: number; lastMonth: boolean; day: number }
  | { kind: 'correct'; pick: number; counted: number; rejected: number }
  | { kind: 'rate'; task: number; rateFen: number }
  | { kind: 'close' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('log' as const),
      worker: fc.nat(2),
      task: fc.nat(1),
      counted: fc.integer({ min: 0, max: 60 }),
      rejected: fc.integer({ min: 0, max: 10 }),
      lastMonth: fc.boolean(),
      day: fc.integer({ min: 1, max: 28 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('correct' as const),
      pick: fc.nat(50),
      counted: fc.integer({ min: 0, max: 60 }),
      rejected: fc.integer({ min: 0, max: 10 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rate' as const), task: fc.nat(1), rateFen: fc.integer({ min: 1, max: 500 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
);

function lastMonthOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 2, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

describe('workshops: statements add up (property)', () => {
  let ctx: SeedContext;
  let staff: Express.User;
  before(async function () {
    this.timeout(60_000);
    ctx = await freshDemo();
    staff = await actor(ctx.users.miaoxiStaff!);
  });

  it('for random entries, corrections, rate changes and closings: statement = sum of entries, workshop total = sum of statements', async function () {
    this.timeout(240_000);
    const today = dayKey();
    const month = today.slice(0, 7);
    const prev = lastMonthOf(month);
    const todayDay = Number(today.slice(8, 10));
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 80 });
        const t2 = await Task.create({ workshop: shop.id, name: '穗子', unit: '个', rateFen: 15 });
        const taskIds = [shop.taskId, String(t2._id)];
        const rates = [80, 15];
        const workers: string[] = [];
        for (let i = 0; i < 3; i++) {
          const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, lowIncome: i === 0 });
          await addMember(shop.id, u.id);
          workers.push(u.id);
        }
        const w = { _id: new Types.ObjectId(shop.id), center: new Types.ObjectId(shop.center), name: 'p' };
        const logged: { id: string; rateFen: number }[] = [];
        let frozen: Map<string, number> | null = null;
        for (const op of ops) {
          if (op.kind === 'log') {
            const date = op.lastMonth ? `${prev}-${String(op.day).padStart(2, '0')}` : `${month}-${String(Math.min(op.day, todayDay)).padStart(2, '0')}`;
            const rejected = Math.min(op.rejected, op.counted);
            try {
              const r = await ledger.logEntry(staff, shop.id, {
                workerId: workers[op.worker]!,
                taskId: taskIds[op.task]!,
                counted: op.counted,
                rejected,
                date,
                note: '',
                idempotencyKey: key('p'),
              });
              assert.equal(r.entry.rateFen, rates[op.task], 'the entry copies the current rate');
              assert.equal(r.entry.amountFen, (op.counted - rejected) * rates[op.task]!);
              logged.push({ id: String(r.entry._id), rateFen: r.entry.rateFen });
            } catch (err) {
              assert.ok(
                err instanceof ledger.LedgerRefusal && err.key === 'workshops.errors.periodClosed' && op.lastMonth && frozen,
                'only a closed month refuses',
              );
            }
          } else if (op.kind === 'correct' && logged.length) {
            const target = logged[op.pick % logged.length]!;
            const rejected = Math.min(op.rejected, op.counted);
            try {
              const r = await ledger.correctEntry(staff, shop.id, target.id, { counted: op.counted, rejected, reason: '复核', idempotencyKey: key('c') });
              assert.equal(r.entry.rateFen, target.rateFen, 'a correction uses the original rate');
            } catch (err) {
              assert.ok(err instanceof ledger.LedgerRefusal && err.key === 'workshops.errors.noChange');
            }
          } else if (op.kind === 'rate') {
            await shops.changeRate(staff, w, taskIds[op.task]!, op.rateFen, true);
            rates[op.task] = op.rateFen;
          } else if (op.kind === 'close' && !frozen) {
            const res = await periods.closePeriod(staff, w, prev);
            assert.ok(res.ok);
            const p = await periods.getPeriod(shop.id, prev);
            frozen = new Map(p!.statements.map((s) => [String(s.worker), s.amountFen]));
          }
        }
        // Past amounts never change: every entry's amount is accepted × its own copied rate.
        const entries = await LedgerEntry.find({ workshop: shop.id }).lean();
        for (const e of entries) assert.equal(e.amountFen, e.accepted * e.rateFen);
        for (const p of [prev, month]) {
          const statements = await periods.statementsFromLedger(shop.id, p);
          let sumOfStatements = 0;
          for (const s of statements) {
            const own = entries.filter((e) => String(e.worker) === s.worker && e.period === p);
            assert.equal(
              s.amountFen,
              own.reduce((a, e) => a + e.amountFen, 0),
              'statement = sum of entries',
            );
            assert.equal(
              s.accepted,
              own.reduce((a, e) => a + e.accepted, 0),
            );
            const wm = await WorkSummary.findById(summaryIds.workerMonth(s.worker, shop.id, p)).lean();
            assert.equal(wm?.amountFen ?? 0, s.amountFen, 'live worker summary = statement');
            sumOfStatements += s.amountFen;
          }
          const sm = await WorkSummary.findById(summaryIds.shopMonth(shop.id, p)).lean();
          assert.equal(sm?.amountFen ?? 0, sumOfStatements, 'workshop total = sum of statements');
          assert.equal(
            sumOfStatements,
            entries.filter((e) => e.period === p).reduce((a, e) => a + e.amountFen, 0),
          );
        }
        if (frozen) {
          const now = await periods.statementsFromLedger(shop.id, prev);
          assert.deepEqual(new Map(now.map((s) => [s.worker, s.amountFen])), frozen, 'a closed period never changes');
        }
        const expected = computeSummaries(entries as unknown as EntryLike[]);
        const live = await WorkSummary.find({ workshop: shop.id }).lean();
        assert.equal(live.length, expected.size);
        for (const d of live) assert.equal(d.amountFen, expected.get(String(d._id))!.amountFen);
      }),
      { numRuns: 12 },
    );
  });
});
