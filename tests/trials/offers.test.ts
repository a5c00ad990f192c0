// Reliability trial for waitlist offers: many frees, accepts, declines, leaves and lapse-job runs
// on one course at once, and a restart in the middle of offers. `npm test` runs a short version;
// `npm run test:trials` (TRIALS_FULL=1) runs more waves.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { freshDemo } from '../helpers/data.ts';
import { FULL_TRIALS } from '../helpers/sessions.ts';
import { fullCourse, statusOf, type Person } from '../courses/offer-helpers.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { Seat } from '../../models/seat.ts';
import { OfferDecision } from '../../models/offer-decision.ts';
import { Notification } from '../../models/notification.ts';
import { withdraw } from '../../server/courses/service/enrolment.ts';
import { acceptOffer, declineOffer, lapseOffers } from '../../server/courses/service/offers.ts';
import { isRefusal } from '../../server/lib/refusal.ts';
import { recoverIfUnclean } from '../../server/recovery.ts';
import { stopJournal } from '../../server/store/index.ts';
import type { SeedContext } from '../../server/seed/index.ts';

const WAVES = FULL_TRIALS ? 12 : 4;
const HOUR = 3600_000;
const MONTH = 30 * 24 * HOUR;

/** confirmed + open offers ≤ capacity; every held seat belongs to one of them; no seat idle while people wait. */
async function assertConsistent(courseId: string, capacity: number, label: string) {
  const seats = await Seat.find({ course: courseId }, { enrolment: 1, offerExpiresAt: 1, seatNo: 1 }).lean();
  const rows = await Enrolment.find(
    { course: courseId, status: { $in: ['confirmed', 'offered', 'waitlisted', 'pending'] } },
    { status: 1, offerExpiresAt: 1 },
  ).lean();
  const byId = new Map(rows.map((e) => [String(e._id), e]));
  const confirmed = rows.filter((e) => e.status === 'confirmed').length;
  const offered = rows.filter((e) => e.status === 'offered').length;
  const waiting = rows.filter((e) => e.status === 'waitlisted').length;
  assert.equal(rows.filter((e) => e.status === 'pending').length, 0, `${label}: nothing half-done`);
  assert.ok(confirmed + offered <= capacity, `${label}: confirmed ${confirmed} + offered ${offered} ≤ ${capacity}`);
  assert.equal(seats.length, confirmed + offered, `${label}: one seat per confirmed or offered place`);
  assert.equal(new Set(seats.map((s) => s.seatNo)).size, seats.length, `${label}: seat numbers unique`);
  for (const s of seats) {
    const e = byId.get(String(s.enrolment));
    assert.ok(e && (e.status === 'confirmed' || e.status === 'offered'), `${label}: seat ${s.seatNo} held by a confirmed or offered place, not ${e?.status}`);
    assert.equal(!!s.offerExpiresAt, e.status === 'offered', `${label}: a held seat carries an expiry exactly while it is offered`);
  }
  if (waiting > 0) assert.equal(seats.length, capacity, `${label}: ${waiting} waiting, so no seat may stand free`);
  return { confirmed, offered, waiting };
}

const pick = <T>(list: T[], share: number) => list.filter(() => Math.random() < share);

describe(`trial: waitlist offers (${WAVES} waves)`, function () {
  this.timeout(30 * 60_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('frees, accepts, declines, leaves and lapse-job runs at once never hold more seats than the course has, nor leave one idle', async () => {
    const CAP = 8;
    const { courseId, seated, waiting } = await fullCourse(ctx.centers.miaoxi!, CAP, 40, { firstStart: new Date(Date.now() + MONTH) });
    const everyone: Person[] = [...seated, ...waiting];
    const tally = { accepted: 0, declined: 0, lapsedRuns: 0, refused: 0, withdrawn: 0 };
    let maxSeats = 0;
    for (let wave = 0; wave < WAVES; wave += 1) {
      const status = new Map<string, string | undefined>();
      for (const p of everyone) status.set(p.id, await statusOf(courseId, p));
      const inState = (s: string) => everyone.filter((p) => status.get(p.id) === s);
      // One open offer is left alone and accepted, so every wave with an offer has an accept that
      // must win. Of the others, a third ran out already, a third run out while the wave runs (so an
      // accept and the lapse job meet on the same offer), a third stay open.
      const [keeper, ...others] = inState('offered');
      const expiries = others.map((_, i) => (i % 3 === 0 ? Date.now() - 1000 : i % 3 === 1 ? Date.now() + Math.floor(Math.random() * 1500) : 0));
      for (const [i, p] of [keeper, ...others].entries()) {
        if (!p || (i > 0 && !expiries[i - 1])) continue;
        const at = new Date(i === 0 ? Date.now() + 3600_000 : expiries[i - 1]!);
        const e = await Enrolment.findOne({ course: courseId, resident: p.id, status: 'offered' }, { _id: 1 }).lean();
        await Enrolment.updateOne({ _id: e!._id }, { $set: { offerExpiresAt: at } });
        await Seat.updateOne({ enrolment: e!._id }, { $set: { offerExpiresAt: at } });
      }
      const jitter = (ms: number) => new Promise((r) => setTimeout(r, Math.floor(Math.random() * ms)));
      const ops: Promise<unknown>[] = [
        ...pick(inState('confirmed'), 0.4).map((p) => withdraw(courseId, p.id).then(() => (tally.withdrawn += 1))),
        ...(keeper ? [acceptOffer(courseId, keeper.id).then(() => (tally.accepted += 1))] : []),
        ...pick(others, 0.6).map((p) =>
          jitter(1500)
            .then(() => acceptOffer(courseId, p.id))
            .then(() => (tally.accepted += 1)),
        ),
        ...pick(others, 0.3).map((p) =>
          jitter(1500)
            .then(() => declineOffer(courseId, p.id))
            .then(() => (tally.declined += 1)),
        ),
        ...pick(inState('waitlisted'), 0.1).map((p) => withdraw(courseId, p.id).then(() => (tally.withdrawn += 1))),
        // Someone still waiting presses accept on an offer that is not theirs yet.
        ...pick(inState('waitlisted'), 0.1).map((p) => acceptOffer(courseId, p.id)),
        ...[0, 500, 1000, 1500].map((ms) => new Promise((r) => setTimeout(r, ms)).then(() => lapseOffers()).then(() => (tally.lapsedRuns += 1))),
      ];
      let running = true;
      const sampler = (async () => {
        while (running) {
          maxSeats = Math.max(maxSeats, await Seat.countDocuments({ course: courseId }));
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const results = await Promise.allSettled(ops);
      running = false;
      await sampler;
      for (const r of results) {
        if (r.status === 'fulfilled') continue;
        assert.ok(isRefusal(r.reason), `only refusals in words, not ${String((r.reason as Error)?.stack ?? r.reason)}`);
        tally.refused += 1;
      }
      const counts = await assertConsistent(courseId, CAP, `wave ${wave + 1}`);
      process.stdout.write(
        `      wave ${wave + 1}: ${results.length} actions at once → confirmed ${counts.confirmed}, offered ${counts.offered}, waiting ${counts.waiting}\n`,
      );
    }
    process.stdout.write(`      ${JSON.stringify(tally)}; most seats ever seen: ${maxSeats} of ${CAP}\n`);
    assert.ok(maxSeats <= CAP);
    assert.ok(tally.accepted > 0 && tally.withdrawn > 0 && tally.lapsedRuns > 0, 'every kind of action ran');
    assert.ok((await Enrolment.countDocuments({ course: courseId, status: 'lapsed' })) > 0, 'some offers lapsed');
    // Each offer was decided once: no enrolment is both confirmed and lapsed or declined.
    const decided = await OfferDecision.find({ course: courseId }).lean();
    for (const d of decided) {
      const e = await Enrolment.findById(d._id, { status: 1 }).lean();
      if (d.outcome === 'accepted') assert.ok(e && ['confirmed', 'withdrawn'].includes(e.status), `accepted offer ${d._id} is ${e?.status}`);
      else assert.ok(e && e.status !== 'confirmed' && e.status !== 'offered', `${d.outcome} offer ${d._id} is ${e?.status}`);
    }
  });

  it('a restart in the middle of offers: the start-up repair keeps open offers, completes half-done ones and passes expired ones on', async () => {
    const CAP = 6;
    const { courseId, seated, waiting } = await fullCourse(ctx.centers.miaoxi!, CAP, 8, { firstStart: new Date(Date.now() + MONTH) });
    for (const p of seated) await withdraw(courseId, p.id); // six offers, to waiting[0..5]
    const now = Date.now();
    const enrolmentOf = async (p: Person) =>
      (await Enrolment.findOne({ course: courseId, resident: p.id, status: { $in: ['offered', 'waitlisted'] } }).lean())!;
    const past = new Date(now - HOUR);
    // 0: an open offer, untouched → kept as it is.
    const kept = await enrolmentOf(waiting[0]!);
    // 1: seat held, crash before the enrolment said so (still open) → becomes the offer, and is told.
    const unrecorded = await enrolmentOf(waiting[1]!);
    await Enrolment.updateOne({ _id: unrecorded._id }, { $set: { status: 'waitlisted', offerExpiresAt: null, offeredAt: null } });
    await Notification.deleteMany({ user: waiting[1]!.id, type: 'courseOffered' });
    // 2: seat held, enrolment not updated, and the hold ran out while down → freed and offered afresh.
    const unrecordedExpired = await enrolmentOf(waiting[2]!);
    await Enrolment.updateOne({ _id: unrecordedExpired._id }, { $set: { status: 'waitlisted', offerExpiresAt: null, offeredAt: null } });
    await Seat.updateOne({ enrolment: unrecordedExpired._id }, { $set: { offerExpiresAt: past } });
    // 3: accepted (decision stored), crash before the enrolment and seat were updated → confirmed.
    const halfAccepted = await enrolmentOf(waiting[3]!);
    await OfferDecision.create({ _id: String(halfAccepted._id), course: halfAccepted.course, outcome: 'accepted' });
    // 4: declined and the enrolment ended, crash before the seat was freed → freed, offered on.
    const halfDeclined = await enrolmentOf(waiting[4]!);
    await OfferDecision.create({ _id: String(halfDeclined._id), course: halfDeclined.course, outcome: 'declined' });
    await Enrolment.updateOne(
      { _id: halfDeclined._id },
      { $set: { status: 'declined', endedAt: new Date(), activeKey: `${halfDeclined.activeKey}:x:${String(halfDeclined._id)}` } },
    );
    // 5: an offer that expired while the app was down → lapses, passed on.
    const expiredOffer = await enrolmentOf(waiting[5]!);
    await Enrolment.updateOne({ _id: expiredOffer._id }, { $set: { offerExpiresAt: past } });
    await Seat.updateOne({ enrolment: expiredOffer._id }, { $set: { offerExpiresAt: past } });
    const keptSeat = (await Seat.findOne({ enrolment: kept._id }).lean())!;

    // The restart: the marker of an unclean stop and the journal naming the course in flight are
    // found, and the start-up repair runs for that course alone.
    assert.equal(await restartAfterCrash(String(courseId)), 'in-flight');

    assert.equal(await statusOf(courseId, waiting[0]!), 'offered');
    assert.equal(
      (await Seat.findOne({ enrolment: kept._id }).lean())!.offerExpiresAt!.getTime(),
      keptSeat.offerExpiresAt!.getTime(),
      'an open offer keeps its deadline',
    );
    assert.equal(await statusOf(courseId, waiting[1]!), 'offered');
    assert.ok(await Notification.findOne({ user: waiting[1]!.id, type: 'courseOffered' }).lean(), 'the resident is told of the offer the crash swallowed');
    const again = (await Enrolment.findById(unrecordedExpired._id).lean())!;
    assert.equal(again.status, 'offered', 'never told, so offered afresh');
    assert.ok(again.offerExpiresAt! > new Date(now), 'with a new deadline');
    assert.equal(await statusOf(courseId, waiting[3]!), 'confirmed');
    assert.equal((await Seat.findOne({ enrolment: halfAccepted._id }).lean())!.offerExpiresAt, null);
    assert.equal(await statusOf(courseId, waiting[4]!), 'declined');
    assert.equal(await Seat.countDocuments({ enrolment: halfDeclined._id }), 0);
    assert.equal(await statusOf(courseId, waiting[5]!), 'lapsed');
    // The two seats let go went to the next two waiting.
    assert.equal(await statusOf(courseId, waiting[6]!), 'offered');
    assert.equal(await statusOf(courseId, waiting[7]!), 'offered');
    await assertConsistent(courseId, CAP, 'after the restart');
    // A second start changes nothing.
    const before = await Enrolment.find({ course: courseId }, { status: 1, offerExpiresAt: 1 }).sort({ _id: 1 }).lean();
    assert.equal(await restartAfterCrash(String(courseId)), 'in-flight');
    assert.deepEqual(await Enrolment.find({ course: courseId }, { status: 1, offerExpiresAt: 1 }).sort({ _id: 1 }).lean(), before);
  });
});

/** A start after a crash with `courseId` in flight (its data dir has the running marker and a journal naming the course). */
async function restartAfterCrash(courseId: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doorstep-offer-restart-'));
  fs.writeFileSync(path.join(dataDir, 'app.running'), '1');
  fs.writeFileSync(path.join(dataDir, 'in-flight.journal'), `+course ${courseId}\n`);
  try {
    return await recoverIfUnclean(dataDir, pino({ level: 'silent' }), { severalNodes: false });
  } finally {
    await stopJournal();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
