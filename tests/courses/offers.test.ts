import assert from 'node:assert/strict';
import { loggedIn, submit } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Course } from '../../models/course.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { Seat } from '../../models/seat.ts';
import { Notification } from '../../models/notification.ts';
import { withdraw } from '../../server/courses/service/enrolment.ts';
import { acceptOffer, lapseOffers } from '../../server/courses/service/offers.ts';
import { makeCourse } from './fixtures.ts';
import { fullCourse, statusOf, type Person } from './offer-helpers.ts';

const HOUR = 3600_000;

/** Expires an open offer as if its time had passed. */
async function expire(courseId: string, who: Person) {
  const e = await Enrolment.findOne({ course: courseId, resident: who.id, status: 'offered' }).lean();
  assert.ok(e, 'has an open offer');
  const past = new Date(Date.now() - 60_000);
  await Enrolment.updateOne({ _id: e._id }, { $set: { offerExpiresAt: past } });
  await Seat.updateOne({ enrolment: e._id }, { $set: { offerExpiresAt: past } });
}

describe('courses: waitlist offers that expire', function () {
  // Each test builds a full class and a waitlist first: slow on a busy machine.
  this.timeout(120_000);
  let ctx: SeedContext;
  let center: string;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
    center = ctx.centers.miaoxi!;
  });

  it('a freed seat is offered to the first waiting resident, held for the course’s hours, and shown with the deadline and first class', async () => {
    const { courseId, seated, waiting } = await fullCourse(center, 2, 2, { offerHours: 48 });
    const before = Date.now();
    assert.equal((await withdraw(courseId, seated[0]!.id)).promoted, 1);
    assert.equal(await statusOf(courseId, waiting[0]!), 'offered');
    assert.equal(await statusOf(courseId, waiting[1]!), 'waitlisted');
    const offered = (await Enrolment.findOne({ course: courseId, resident: waiting[0]!.id, status: 'offered' }).lean())!;
    const held = (await Seat.findOne({ enrolment: offered._id }).lean())!;
    assert.ok(held.offerExpiresAt, 'the seat is held for the offer');
    const hours = (held.offerExpiresAt.getTime() - before) / HOUR;
    assert.ok(hours > 47.9 && hours < 48.1, `held for 48 hours, not ${hours}`);
    assert.equal(await Seat.countDocuments({ course: courseId }), 2, 'confirmed + offered = capacity');
    const note = await Notification.findOne({ user: waiting[0]!.id, type: 'courseOffered' }).lean();
    assert.ok(note?.params?.until && note.params.first, 'the notification carries the deadline and the first class');

    const ag = await loggedIn(waiting[0]!.phone);
    const page = await ag.get(`/courses/${courseId}`);
    assert.match(page.text, /data-enrolment="offered"/);
    assert.match(page.text, /有座位空|有空位了/);
    assert.match(page.text, /data-offer-until>[^<]*\d{2}:\d{2}</, 'deadline with its time');
    assert.match(page.text, new RegExp(`action="/courses/${courseId}/offer/accept"`));
    const mine = await ag.get('/me/courses');
    assert.match(mine.text, /data-enrolment="offered"/);
    const en = await ag.get(`/courses/${courseId}?lang=en`);
    assert.match(en.text, /A seat is free for you!/);
    assert.match(en.text, /First class/);
  });

  it('accepting in time confirms the seat; accepting after the deadline is refused in words and the seat passes on', async () => {
    const { courseId, seated, waiting } = await fullCourse(center, 1, 3);
    await withdraw(courseId, seated[0]!.id);
    const ag = await loggedIn(waiting[0]!.phone);
    const res = await submit(ag, `/courses/${courseId}`, `/courses/${courseId}/offer/accept`, {});
    assert.equal(res.status, 303);
    assert.equal(await statusOf(courseId, waiting[0]!), 'confirmed');
    const seat = (await Seat.findOne({ course: courseId }).lean())!;
    assert.equal(seat.offerExpiresAt, null, 'the held seat is now a confirmed one');
    assert.match((await ag.get(`/courses/${courseId}`)).text, /data-enrolment="confirmed"/);

    // The next offer, answered too late.
    await withdraw(courseId, waiting[0]!.id);
    assert.equal(await statusOf(courseId, waiting[1]!), 'offered');
    await expire(courseId, waiting[1]!);
    const late = await loggedIn(waiting[1]!.phone);
    const refused = await submit(late, `/courses/${courseId}`, `/courses/${courseId}/offer/accept`, {});
    assert.equal(refused.status, 303);
    const after = await late.get(`/courses/${courseId}`);
    assert.match(after.text, /只保留到 .*已经让给下一位/);
    assert.equal(await statusOf(courseId, waiting[1]!), 'lapsed');
    assert.equal(await statusOf(courseId, waiting[2]!), 'offered', 'the seat went on to the next person');
    assert.equal(await Seat.countDocuments({ course: courseId }), 1);
    // The service says the same, in English words too.
    const enRefusal = await submit(late, `/courses/${courseId}?lang=en`, `/courses/${courseId}/offer/accept`, {});
    assert.equal(enRefusal.status, 303);
    assert.match((await late.get(`/courses/${courseId}?lang=en`)).text, /This offer ran out at .* next person waiting/);
  });

  it('declining asks first (without JavaScript), then passes the seat to the next person', async () => {
    const { courseId, seated, waiting } = await fullCourse(center, 1, 2);
    await withdraw(courseId, seated[0]!.id);
    const ag = await loggedIn(waiting[0]!.phone);
    const ask = await submit(ag, `/courses/${courseId}`, `/courses/${courseId}/offer/decline`, {});
    assert.equal(ask.status, 200);
    assert.match(ask.text, /data-confirm="declineOffer"/);
    assert.equal(await statusOf(courseId, waiting[0]!), 'offered', 'nothing changes before the confirmation');
    const done = await submit(ag, `/courses/${courseId}`, `/courses/${courseId}/offer/decline`, { confirm: 'yes', from: 'mine' });
    assert.equal(done.status, 303);
    assert.equal(done.headers.location, '/me/courses');
    assert.equal(await statusOf(courseId, waiting[0]!), 'declined');
    assert.equal(await statusOf(courseId, waiting[1]!), 'offered');
    assert.equal(await Seat.countDocuments({ course: courseId }), 1);
    // Answering again is refused in words, not a 500.
    const again = await submit(ag, `/courses/${courseId}`, `/courses/${courseId}/offer/accept`, {});
    assert.equal(again.status, 303);
    assert.equal(await statusOf(courseId, waiting[0]!), 'declined');
  });

  it('the lapse job passes an offer nobody answered to the next person, and says so', async () => {
    const { courseId, seated, waiting } = await fullCourse(center, 2, 2);
    await withdraw(courseId, seated[0]!.id);
    assert.equal(await lapseOffers(new Date()), 0, 'an offer still open is left alone');
    assert.equal(await statusOf(courseId, waiting[0]!), 'offered');
    const later = new Date(Date.now() + 25 * HOUR);
    assert.ok((await lapseOffers(later)) >= 1);
    assert.equal(await statusOf(courseId, waiting[0]!), 'lapsed');
    assert.equal(await statusOf(courseId, waiting[1]!), 'offered');
    assert.ok(await Notification.findOne({ user: waiting[0]!.id, type: 'courseOfferLapsed' }).lean());
    await assert.rejects(acceptOffer(courseId, waiting[0]!.id), (e: { key: string }) => e.key === 'waitlist.errors.expired');
    assert.equal(await Seat.countDocuments({ course: courseId }), 2);
    // The new offer runs from when it was made.
    const next = (await Enrolment.findOne({ course: courseId, resident: waiting[1]!.id }).lean())!;
    assert.ok(next.offerExpiresAt! > later);
  });

  it('a resident leaves the waitlist from their own course list (after confirming)', async () => {
    const { courseId, waiting } = await fullCourse(center, 1, 3);
    const ag = await loggedIn(waiting[0]!.phone);
    const mine = await ag.get('/me/courses');
    assert.match(mine.text, new RegExp(`action="/courses/${courseId}/withdraw"`));
    const ask = await submit(ag, '/me/courses', `/courses/${courseId}/withdraw`, { from: 'mine' });
    assert.match(ask.text, /data-confirm="withdrawCourse"/);
    const done = await submit(ag, '/me/courses', `/courses/${courseId}/withdraw`, { from: 'mine', confirm: 'yes' });
    assert.equal(done.status, 302);
    assert.equal(done.headers.location, '/me/courses');
    assert.equal(await statusOf(courseId, waiting[0]!), 'withdrawn');
    const other = await loggedIn(waiting[1]!.phone);
    assert.match((await other.get(`/courses/${courseId}`)).text, /候补第 1 位/);
  });

  it('staff see the queue in order with each offer’s state; staff elsewhere do not', async () => {
    const { courseId, seated, waiting } = await fullCourse(center, 2, 4);
    await withdraw(courseId, seated[0]!.id); // offered to waiting[0]
    await lapseOffers(new Date(Date.now() + 25 * HOUR)); // lapses; offered to waiting[1]
    await withdraw(courseId, seated[1]!.id); // offered to waiting[2]
    const ag = await loggedIn(waiting[2]!.phone);
    await submit(ag, `/courses/${courseId}`, `/courses/${courseId}/offer/decline`, { confirm: 'yes' }); // offered to waiting[3]
    const staff = await loggedIn('13800000001');
    const page = await staff.get(`/staff/courses/${courseId}`);
    assert.equal(page.status, 200);
    const states = [...page.text.matchAll(/data-queue="(\w+)"/g)].map((m) => m[1]);
    assert.deepEqual(states.slice(0, 2), ['offered', 'offered'], 'open offers first');
    assert.deepEqual(states.slice(2).sort(), ['declined', 'lapsed'], 'then the offers that ended');
    assert.match(page.text, /已留座，.*\d{2}:\d{2} 前答复/);
    assert.match(page.text, /过时未答复/);
    const en = await staff.get(`/staff/courses/${courseId}?lang=en`);
    assert.match(en.text, /Offered, answer by/);
    assert.match(en.text, /Turned it down/);
    const elsewhere = await loggedIn('13800000005');
    assert.equal((await elsewhere.get(`/staff/courses/${courseId}`)).status, 403);
  });

  it('the hold time is set on the course form (hours, 24 by default) and checked', async () => {
    const staff = await loggedIn('13800000001');
    const form = await staff.get('/staff/courses/new');
    assert.match(form.text, /name="offerHours"[^>]*value="24"/);
    const courseId = await makeCourse({ center, capacity: 3 });
    const edit = await staff.get(`/staff/courses/${courseId}/edit`);
    assert.match(edit.text, /name="offerHours"/);
    const day = new Date(Date.now() + 2 * 86400_000).toISOString().slice(0, 10);
    const fields = {
      title: '候补测试课',
      category: 'baking',
      center,
      capacity: '3',
      completionPercent: '80',
      sessionDate: day,
      sessionStart: '09:00',
      sessionEnd: '11:00',
      sessionTopic: '',
    };
    const bad = await submit(staff, `/staff/courses/${courseId}/edit`, `/staff/courses/${courseId}`, { ...fields, offerHours: '0' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /name="offerHours"[^>]*value="0"/, 'what was typed comes back');
    const ok = await submit(staff, `/staff/courses/${courseId}/edit`, `/staff/courses/${courseId}`, { ...fields, offerHours: '6' });
    assert.equal(ok.status, 302);
    assert.equal((await Course.findById(courseId).lean())!.offerHours, 6);
  });
});
