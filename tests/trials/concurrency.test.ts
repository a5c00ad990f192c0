// Reliability trial: many people acting at once. `npm test` runs a short version;
// `npm run test:trials` (TRIALS_FULL=1) runs 20 rounds of each.
import assert from 'node:assert/strict';
import request from 'supertest';
import { app } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { sessionCookie, formAuth, FULL_TRIALS } from '../helpers/sessions.ts';
import { makeCourse } from '../courses/fixtures.ts';
import { publishedPosting } from '../gigs/helpers.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { Seat } from '../../models/seat.ts';
import { Application } from '../../models/application.ts';
import { PostingSlot } from '../../models/posting-slot.ts';
import { Posting } from '../../models/posting.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { Workshop } from '../../models/workshop.ts';
import { Task } from '../../models/task.ts';
import { Membership, membershipId } from '../../models/membership.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { apply } from '../../server/gigs/service/applications.ts';
import { sessionUser } from '../../server/accounts/service.ts';
import { positionOf } from '../../server/courses/service/roster.ts';
import { summaryIds } from '../../server/workshops/summaries.ts';
import { dayKey } from '../../server/lib/format.ts';
import { droppedReplies } from '../../server/db/reply-order.ts';
import type { SeedContext } from '../../server/seed/index.ts';

const ROUNDS = FULL_TRIALS ? 20 : 2;
const get = async (path: string, cookie: string) => {
  const res = await request(app()).get(path).set('Cookie', cookie);
  return { text: res.text, setCookie: (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [] };
};

describe(`trial: concurrency (${ROUNDS} rounds)`, function () {
  this.timeout(30 * 60_000);
  let ctx: SeedContext;
  let residents: { id: string; cookie: string; token: string }[];

  before(async () => {
    ctx = await freshDemo();
    residents = [];
    for (let i = 0; i < 200; i++) {
      const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, birthYear: 1970 });
      residents.push({ id: u.id, ...(await formAuth(get, await sessionCookie(u.id))) });
    }
  });

  it('200 simultaneous enrolments for 20 seats: exactly 20 confirmed, 180 waiting in order, no 5xx', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const course = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 20 });
      const statuses = await Promise.all(
        residents.map((r) =>
          request(app())
            .post(`/courses/${course}/enrol`)
            .set('Cookie', r.cookie)
            .type('form')
            .send({ _csrf: r.token })
            .then((res) => res.status),
        ),
      );
      assert.deepEqual(
        statuses.filter((s) => s >= 500),
        [],
        `round ${round}: no 5xx`,
      );
      assert.equal(await Seat.countDocuments({ course }), 20, `round ${round}: seats`);
      assert.equal(
        await Enrolment.countDocuments({ course, status: 'confirmed' }),
        20,
        `round ${round}: confirmed (database replies dropped as out of order so far: ${droppedReplies()})`,
      );
      const waiting = await Enrolment.find({ course, status: 'waitlisted' }, { _id: 1 }).lean();
      assert.equal(waiting.length, 180);
      // One at a time: 180 simultaneous scans are the checker's load, not the trial's.
      const positions: number[] = [];
      for (const w of waiting) positions.push((await positionOf(course, w._id))!);
      positions.sort((a, b) => a - b);
      assert.deepEqual(
        positions,
        Array.from({ length: 180 }, (_, i) => i + 1),
      );
      const seatNos = (await Seat.find({ course }, { seatNo: 1 }).lean()).map((s) => s.seatNo).sort((a, b) => a - b);
      assert.deepEqual(
        seatNos,
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      // Each round starts from the same volume: FerretDB reads the whole enrolments collection
      // for each waitlist query, so 20 rounds left in place would measure 4,000 enrolments.
      await Enrolment.deleteMany({ course });
      await Seat.deleteMany({ course });
    }
    // FerretDB's stray replies that server/db/reply-order.ts dropped (each would have been read
    // as the answer to the next command on its connection).
    process.stdout.write(`      out-of-order database replies dropped so far: ${droppedReplies()}\n`);
  });

  it('50 simultaneous accepts for a headcount of 3: exactly 3 accepted and the posting filled, no 5xx', async () => {
    const employer = await sessionUser(ctx.users.employer!);
    const auth = await formAuth(get, await sessionCookie(ctx.users.employer!), '/employer/postings');
    for (let round = 1; round <= ROUNDS; round++) {
      const posting = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 3, employer: employer!.id });
      const apps: string[] = [];
      for (const r of residents.slice(0, 50)) apps.push(await apply((await sessionUser(r.id))!, posting, { message: '', availability: '' }));
      const statuses = await Promise.all(
        apps.map((id) =>
          request(app())
            .post(`/employer/applications/${id}/accept`)
            .set('Cookie', auth.cookie)
            .type('form')
            .send({ _csrf: auth.token })
            .then((res) => res.status),
        ),
      );
      assert.deepEqual(
        statuses.filter((s) => s >= 500),
        [],
        `round ${round}: no 5xx`,
      );
      assert.equal(await PostingSlot.countDocuments({ posting }), 3);
      assert.equal(await Application.countDocuments({ posting, status: 'accepted' }), 3);
      const p = await Posting.findById(posting).lean();
      assert.equal(p!.status, 'filled');
      assert.equal(p!.acceptedCount, 3);
    }
  });

  it(`${FULL_TRIALS ? 1000 : 200} simultaneous piece-work entries for one worker: the ledger and summaries are exact`, async () => {
    const n = FULL_TRIALS ? 1000 : 200;
    const ws = await Workshop.create({ name: `并发工坊${Date.now()}`, center: ctx.centers.miaoxi! });
    const task = await Task.create({ workshop: ws._id, name: '组装', unit: '盏', rateFen: 37 });
    const worker = residents[0]!;
    await Membership.create({
      _id: membershipId(String(ws._id), worker.id),
      workshop: ws._id,
      resident: worker.id,
      residentName: '并发工人',
      residentPhone: '13900000000',
    });
    const staff = await formAuth(get, await sessionCookie(ctx.users.miaoxiStaff!), `/staff/workshops/${ws._id}/log`);
    const today = dayKey();
    const statuses = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        request(app())
          .post(`/staff/workshops/${ws._id}/entries`)
          .set('Cookie', staff.cookie)
          .type('form')
          .send({
            _csrf: staff.token,
            workerId: worker.id,
            taskId: String(task._id),
            counted: String((i % 7) + 1),
            rejected: '0',
            date: today,
            note: '',
            orderId: '',
            idempotencyKey: `trial-${ws._id}-${i}`,
          })
          .then((res) => res.status),
      ),
    );
    assert.deepEqual(
      statuses.filter((s) => s >= 400),
      [],
    );
    const expected = Array.from({ length: n }, (_, i) => (i % 7) + 1).reduce((a, b) => a + b, 0);
    const entries = await LedgerEntry.find({ workshop: ws._id }, { accepted: 1, amountFen: 1 }).lean();
    assert.equal(entries.length, n);
    assert.equal(
      entries.reduce((a, e) => a + e.accepted, 0),
      expected,
    );
    const month = await WorkSummary.findById(summaryIds.workerMonth(worker.id, String(ws._id), today.slice(0, 7))).lean();
    assert.equal(month!.accepted, expected);
    assert.equal(month!.amountFen, expected * 37);
  });
});
