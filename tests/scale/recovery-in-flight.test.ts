import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { pino } from 'pino';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { commandsOf } from '../helpers/commands.ts';
import { publishedPosting } from '../gigs/helpers.ts';
import { actor, addMember, assertSummariesMatchLedger, key, makeShop } from '../workshops/helpers.ts';
import { Application } from '../../models/application.ts';
import { Posting } from '../../models/posting.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { PayRecord } from '../../models/pay-record.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import * as slots from '../../server/gigs/service/slots.ts';
import * as ledger from '../../server/workshops/ledger.ts';
import { summaryIds } from '../../server/workshops/summaries.ts';
import { recoverIfUnclean } from '../../server/recovery.ts';
import { stopJournal } from '../../server/store/index.ts';
import { dayKey } from '../../server/lib/format.ts';
import type { SeedContext } from '../../server/seed/index.ts';

// Issue 11, item 7: after a crash the start-up repairs only what the in-flight journal names,
// reading it by `_id`, so the time to serve again does not grow with the years of data. Each test
// leaves the state a crash leaves, writes the journal that crash would have left, and starts.

/** A start after a crash whose journal holds `lines`; returns how it recovered and the commands it issued. */
async function startAfterCrash(lines: string[], opts = { severalNodes: false }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doorstep-recovery-'));
  fs.writeFileSync(path.join(dir, 'app.running'), '1');
  if (lines.length) fs.writeFileSync(path.join(dir, 'in-flight.journal'), `${lines.join('\n')}\n`);
  let how = '';
  try {
    const recorded = await commandsOf(async () => {
      how = await recoverIfUnclean(dir, pino({ level: 'silent' }), opts);
    });
    return { how, ...recorded };
  } finally {
    await stopJournal();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('start-up repair: only what was in flight (in-flight journal)', function () {
  this.timeout(120_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('finishes a gig accept cut short for the posting in flight, reads it by _id, and leaves other postings alone', async () => {
    const employer = { id: ctx.users.employer! } as Express.User;
    const cut = async () => {
      const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 2 });
      const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
      const app = await applications.apply({ id: u.id }, id, { message: '', availability: '' });
      await slots.accept(employer, app);
      // The crash: the slot is claimed, the application not yet marked, the count not yet kept.
      await Application.updateOne({ _id: app }, { $set: { status: 'pending', slotNo: null } });
      await Posting.updateOne({ _id: id }, { $set: { acceptedCount: 0 } });
      return { id, app };
    };
    const inFlight = await cut();
    const other = await cut();
    const { how, scans } = await startAfterCrash([`+posting ${inFlight.id}`]);
    assert.equal(how, 'in-flight');
    assert.equal((await Application.findById(inFlight.app).lean())!.status, 'accepted');
    assert.equal((await Posting.findById(inFlight.id).lean())!.acceptedCount, 1);
    assert.equal((await Application.findById(other.app).lean())!.status, 'pending', 'a posting not in flight is not looked at');
    assert.deepEqual(scans, [], 'every read and write by _id');
  });

  it('adds a ledger entry cut short to the summaries it missed, never twice, reading only by _id', async () => {
    const staff = await actor(ctx.users.miaoxiStaff!);
    const worker = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const log = async (shop: { id: string; taskId: string }, counted: number) =>
      (
        await ledger.logEntry(staff, shop.id, {
          workerId: worker.id,
          taskId: shop.taskId,
          counted,
          rejected: 1,
          date: dayKey(),
          note: '',
          idempotencyKey: key('crash'),
        })
      ).entry;
    const half = await makeShop(ctx.centers.miaoxi!, { rateFen: 30 });
    const whole = await makeShop(ctx.centers.miaoxi!, { rateFen: 45 });
    for (const shop of [half, whole]) await addMember(shop.id, worker.id);
    const first = await log(half, 10);
    const cut = await log(half, 7);
    const done = await log(whole, 5);
    // The crash: `cut` reached two of its four summaries; `done` reached all of them but its
    // journal line was not closed; a third entry's insert never landed.
    for (const id of [summaryIds.workerMonth(worker.id, half.id, cut.period), summaryIds.shopDay(half.id, cut.date)]) {
      await WorkSummary.collection.updateOne({ _id: id } as never, {
        $inc: {
          counted: -cut.counted,
          rejected: -cut.rejected,
          accepted: -cut.accepted,
          amountFen: -cut.amountFen,
          entries: -1,
          [`tasks.${half.taskId}.accepted`]: -cut.accepted,
          [`tasks.${half.taskId}.amountFen`]: -cut.amountFen,
        },
        $set: { last: String(first._id) },
      });
    }
    const never = new Types.ObjectId();
    const lines = [`+ledger-entry ${cut._id}`, `+ledger-entry ${done._id}`, `+ledger-entry ${never}`];
    const { how, scans, commands } = await startAfterCrash(lines);
    assert.equal(how, 'in-flight');
    await assertSummariesMatchLedger(half.id);
    await assertSummariesMatchLedger(whole.id);
    assert.deepEqual(scans, [], 'every read and write by _id');
    assert.ok(!commands.some((c) => c.collection === 'ledgerentries' && c.name !== 'find'), 'the ledger is only read');
    assert.equal(await LedgerEntry.countDocuments({ _id: never }), 0);
    // The same journal found again (a crash during the repair) changes nothing.
    await startAfterCrash(lines);
    await assertSummariesMatchLedger(half.id);
    await assertSummariesMatchLedger(whole.id);
  });

  it('adds a batch of entries cut short to the summaries that do not name its last entry, once', async () => {
    const staff = await actor(ctx.users.miaoxiStaff!);
    const worker = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 25 });
    await addMember(shop.id, worker.id);
    const log = async (counted: number) =>
      (
        await ledger.logEntry(staff, shop.id, {
          workerId: worker.id,
          taskId: shop.taskId,
          counted,
          rejected: 0,
          date: dayKey(),
          note: '',
          idempotencyKey: key('batch'),
        })
      ).entry;
    const before = await log(2);
    const batch = [await log(3), await log(4), await log(6)];
    // The crash: the batch (one insert, then one update per summary) had reached its worker's
    // summaries but not the workshop's; one id in it was a repeated key that never landed.
    const sum = (f: 'counted' | 'accepted' | 'amountFen') => batch.reduce((s, e) => s + e[f], 0);
    for (const id of [summaryIds.shopDay(shop.id, dayKey()), summaryIds.shopMonth(shop.id, dayKey().slice(0, 7))]) {
      await WorkSummary.collection.updateOne({ _id: id } as never, {
        $inc: {
          counted: -sum('counted'),
          accepted: -sum('accepted'),
          amountFen: -sum('amountFen'),
          entries: -batch.length,
          [`tasks.${shop.taskId}.accepted`]: -sum('accepted'),
          [`tasks.${shop.taskId}.amountFen`]: -sum('amountFen'),
          [`workers.${worker.id}.accepted`]: -sum('accepted'),
          [`workers.${worker.id}.amountFen`]: -sum('amountFen'),
        },
        $set: { last: String(before._id) },
      });
    }
    const lines = [`+ledger-entry ${[batch[0]!._id, new Types.ObjectId(), batch[1]!._id, batch[2]!._id].join(',')}`];
    const { how, scans } = await startAfterCrash(lines);
    assert.equal(how, 'in-flight');
    assert.deepEqual(scans, [], 'every read and write by _id');
    await assertSummariesMatchLedger(shop.id);
    await startAfterCrash(lines);
    await assertSummariesMatchLedger(shop.id);
  });

  it('with several nodes, or after a failed write, rebuilds the entry’s workshop from its ledger instead', async () => {
    const staff = await actor(ctx.users.miaoxiStaff!);
    const worker = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 20 });
    await addMember(shop.id, worker.id);
    for (const [i, severalNodes] of [false, true].entries()) {
      const { entry } = await ledger.logEntry(staff, shop.id, {
        workerId: worker.id,
        taskId: shop.taskId,
        counted: 4,
        rejected: 0,
        date: dayKey(),
        note: '',
        idempotencyKey: key('rebuild'),
      });
      // Another node (or the failed write's own repair) may have written since: the marker cannot be trusted.
      await WorkSummary.collection.updateOne({ _id: summaryIds.shopDay(shop.id, entry.date) } as never, {
        $inc: { accepted: 99 },
        $set: { last: String(entry._id) },
      });
      const line = i === 0 ? [`+ledger-entry ${entry._id}`, `!ledger-entry ${entry._id}`] : [`+ledger-entry ${entry._id}`];
      await startAfterCrash(line, { severalNodes });
      await assertSummariesMatchLedger(shop.id);
    }
  });

  it('recounts the pay record of an employer in flight, and only theirs', async () => {
    const [a, b] = await Promise.all([0, 1].map(() => makeUser({ role: 'employer', center: ctx.centers.miaoxi! })));
    for (const u of [a!, b!]) await PayRecord.updateOne({ _id: u.id }, { $set: { onTime: 3, late: 0, unpaid: 0, openCases: 1 } }, { upsert: true });
    await startAfterCrash([`+arrears ${a!.id}`]);
    assert.equal((await PayRecord.findById(a!.id).lean())!.openCases, 0, 'recounted from its (no) answers and cases');
    assert.equal((await PayRecord.findById(b!.id).lean())!.openCases, 1, 'not in flight: not read');
  });

  it('a clean stop repairs nothing; a marker without a journal (an older version crashed) repairs everything', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doorstep-recovery-'));
    try {
      assert.equal(await recoverIfUnclean(dir, pino({ level: 'silent' }), { severalNodes: false }), 'clean');
      await stopJournal();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const { how } = await startAfterCrash([]);
    assert.equal(how, 'full');
  });
});
