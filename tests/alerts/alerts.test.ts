import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { agent, csrfFrom, loggedIn, submit, type Agent } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { Notification } from '../../models/notification.ts';
import { JobAlert } from '../../models/job-alert.ts';
import { AlertBucket } from '../../models/alert-bucket.ts';
import { AlertPending } from '../../models/alert-pending.ts';
import { matchingSettled, matchPosting, matchLeftovers, sweepClaims } from '../../server/alerts/matching.ts';
import { AlertClaim } from '../../models/alert-claim.ts';
import { MAX_ALERTS } from '../../server/alerts/service.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { createPostingHttp, postingFields, sendPostingForm } from '../gigs/helpers.ts';

const ADMIN = '13800000000';
const EMPLOYER = '13800000002';

/** Employer writes and submits a posting, staff (admin: any center) approve it; matching is awaited. */
async function publish(emp: Agent, staff: Agent, fields: Record<string, string | string[]>): Promise<string> {
  const id = await createPostingHttp(emp, fields);
  assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {})).status, 302);
  assert.equal((await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {})).status, 302);
  await matchingSettled();
  return id;
}

async function saveAlert(ag: Agent, filters: Record<string, string>) {
  const list = `/gigs?${new URLSearchParams(filters).toString()}`;
  return submit(ag, list, '/me/alerts', filters);
}

const told = (userId: string, postingId: string) => Notification.countDocuments({ user: userId, type: 'gigAlertMatch', link: `/gigs/${postingId}` });

describe('job alerts', () => {
  let ctx: SeedContext;
  let emp: Agent;
  let admin: Agent;
  before(async () => {
    ctx = await freshDemo();
    emp = await loggedIn(EMPLOYER);
    admin = await loggedIn(ADMIN);
  });

  it('offers to save a filtered list: a form for residents, a login that comes back for visitors, nothing without filters or for employers', async () => {
    const res = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(res.phone);
    const filtered = await ag.get(`/gigs?center=${ctx.centers.dongcheng}&category=factory&minPay=100`);
    assert.match(filtered.text, /data-alert-offer/);
    assert.match(filtered.text, /action="\/me\/alerts"/);
    assert.match(filtered.text, new RegExp(`name="center" value="${ctx.centers.dongcheng}"`));
    assert.doesNotMatch((await ag.get('/gigs')).text, /data-alert-offer/);
    const visitor = await agent().get('/gigs?category=factory&lang=en');
    assert.match(visitor.text, /href="\/login\?returnTo(=|&#x3D;)%2Fgigs%3Fcategory%3Dfactory%26lang%3Den"/);
    assert.match(visitor.text, /Log in to be told about new jobs like these/);
    assert.doesNotMatch((await emp.get('/gigs?category=factory')).text, /data-alert-offer/);
  });

  it('saves the filters as an alert, listed on /me in plain words, once however often it is tapped', async () => {
    const res = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(res.phone);
    const filters = { center: ctx.centers.dongcheng!, category: 'factory', minPay: '100', q: '包装', tag: 'nearHome' };
    const saved = await saveAlert(ag, filters);
    assert.equal(saved.status, 302);
    assert.match(saved.headers.location!, /^\/gigs\?/);
    assert.equal(new URL(saved.headers.location!, 'http://x').searchParams.get('center'), ctx.centers.dongcheng);
    const back = await ag.get(saved.headers.location!);
    assert.match(back.text, /已保存/);
    const alerts = await JobAlert.find({ user: res.id }).lean();
    assert.equal(alerts.length, 1);
    assert.deepEqual(
      {
        center: alerts[0]!.center,
        category: alerts[0]!.category,
        q: alerts[0]!.q,
        tag: alerts[0]!.tag,
        payType: alerts[0]!.payType,
        minPayFen: alerts[0]!.minPayFen,
      },
      { center: ctx.centers.dongcheng, category: 'factory', q: '包装', tag: 'nearHome', payType: '', minPayFen: 10000 },
    );
    const bucket = await AlertBucket.findById(`alerts:${ctx.centers.dongcheng}:factory`).lean();
    assert.ok(bucket?.ids.includes(alerts[0]!._id), 'listed in its center/category bucket');
    const me = await ag.get('/me');
    assert.match(me.text, /data-job-alerts/);
    assert.match(me.text, /东塍镇党群服务中心及下属各村/);
    assert.match(me.text, /含“包装”/);
    assert.match(me.text, /¥100\.00/);
    // A way to see the jobs open now that match it, with the same filters.
    assert.match(
      me.text,
      new RegExp(
        `href="/gigs\\?q(=|&#x3D;)[^"]*center(=|&#x3D;)${ctx.centers.dongcheng}&amp;category(=|&#x3D;)factory&amp;minPay(=|&#x3D;)100&amp;tag(=|&#x3D;)nearHome"`,
      ),
    );
    const meEn = await ag.get('/me?lang=en');
    assert.match(meEn.text, /Dongcheng Town Center and the villages under it/);
    assert.equal((await saveAlert(ag, filters)).status, 302);
    assert.equal(await JobAlert.countDocuments({ user: res.id }), 1);
    // No filters at all: refused with words, nothing saved.
    const empty = await saveAlert(ag, {});
    assert.equal(empty.status, 302);
    assert.equal(empty.headers.location, '/gigs');
    assert.match((await ag.get('/gigs?lang=zh-CN')).text, /请先至少选一个条件/);
    assert.equal(await JobAlert.countDocuments({ user: res.id }), 1);
  });

  it("tells a resident once about a matching posting in a village under the alert's town, however often it is published again", async () => {
    const res = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(res.phone);
    await saveAlert(ag, { center: ctx.centers.dongcheng!, category: 'factory', minPay: '100' });
    // A second alert of the same person that matches too: still one message.
    await saveAlert(ag, { category: 'factory' });
    const staff = await loggedIn('13800000001');
    const id = await publish(emp, staff, postingFields(ctx.centers.miaoxi!, { title: '灯笼厂装箱工', pay: '150' }));
    assert.equal(await told(res.id, id), 1);
    const live = await ag.get('/notifications');
    assert.match(live.text, /灯笼厂装箱工/);
    assert.match(live.text, new RegExp(`href="/gigs/${id}"`));

    // Close and reopen: published again, not announced again.
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/close`, { confirm: 'yes' })).status, 302);
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/reopen`, {})).status, 302);
    await matchingSettled();
    assert.equal(await told(res.id, id), 1);
    // Edited (back to review) and approved again: still one message.
    const edit = await sendPostingForm(emp, `/employer/postings/${id}`, postingFields(ctx.centers.miaoxi!, { title: '灯笼厂装箱工', pay: '160' }));
    assert.ok(edit.status < 400, `edit → ${edit.status}`);
    assert.equal((await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {})).status, 302);
    await matchingSettled();
    assert.equal(await told(res.id, id), 1);
    // Matching again directly (as the repair would) tells nobody twice.
    assert.equal(await matchPosting(id), 0);
    assert.equal(await told(res.id, id), 1);
    assert.equal(await AlertPending.countDocuments({}), 0, 'no posting left pending');
  });

  it('tells nobody whose alert does not match: other center, other category, pay too low, missing word, other pay unit', async () => {
    const res = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(res.phone);
    await saveAlert(ag, { center: ctx.centers.dongcheng!, category: 'factory', minPay: '120', q: '装箱' });
    const other = [
      postingFields(ctx.centers.xunqiao!, { title: '装箱工 汛桥', pay: '200' }),
      postingFields(ctx.centers.miaoxi!, { title: '装箱工 农活', category: 'agriculture', pay: '200' }),
      postingFields(ctx.centers.miaoxi!, { title: '装箱工 低薪', pay: '110' }),
      postingFields(ctx.centers.miaoxi!, { title: '搬运工', pay: '200' }),
      // ¥40 a piece is not a day's pay of ¥120 or more.
      postingFields(ctx.centers.miaoxi!, { title: '装箱工 计件', payType: 'piece', pay: '400' }),
    ];
    for (const f of other) {
      const id = await publish(emp, admin, f);
      assert.equal(await told(res.id, id), 0, `not told about ${String(f.title)}`);
    }
    // Hourly pay counts over 8 hours: ¥16/h is ¥128 a day.
    const hourly = await publish(emp, admin, postingFields(ctx.centers.miaoxi!, { title: '装箱工 按时', payType: 'hour', pay: '16' }));
    assert.equal(await told(res.id, hourly), 1);
  });

  it('keeps at most the limit of alerts per resident', async () => {
    const res = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(res.phone);
    for (let i = 1; i <= MAX_ALERTS; i++) assert.equal((await saveAlert(ag, { minPay: String(100 + i) })).status, 302);
    assert.equal(await JobAlert.countDocuments({ user: res.id }), MAX_ALERTS);
    const over = await saveAlert(ag, { minPay: '999' });
    assert.match((await ag.get(over.headers.location!)).text, new RegExp(`您已经有 ${MAX_ALERTS} 个工作提醒`));
    assert.equal(await JobAlert.countDocuments({ user: res.id }), MAX_ALERTS);
    assert.match((await ag.get('/me')).text, /已到上限/);
  });

  it('holds the limit when many taps arrive at once, and refuses a center or category that does not exist', async () => {
    const res = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(res.phone);
    const token = csrfFrom((await ag.get('/gigs?category=factory')).text);
    const answers = await Promise.all(
      Array.from({ length: MAX_ALERTS + 3 }, (_, i) =>
        ag
          .post('/me/alerts')
          .type('form')
          .send({ _csrf: token, minPay: String(200 + i) }),
      ),
    );
    assert.ok(
      answers.every((a) => a.status === 302),
      answers.map((a) => a.status).join(),
    );
    assert.equal(await JobAlert.countDocuments({ user: res.id }), MAX_ALERTS);
    const someone = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const other = await loggedIn(someone.phone);
    const badCenter = await saveAlert(other, { center: '0123456789abcdef01234567' });
    assert.match((await other.get(`${badCenter.headers.location!}&lang=zh-CN`)).text, /这个地点或工种已经不在列表里了/);
    await saveAlert(other, { category: 'no-such-kind' });
    assert.equal(await JobAlert.countDocuments({ user: someone.id }), 0);
  });

  it('deletes an alert after a confirmation, and only its owner can', async () => {
    const res = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(res.phone);
    await saveAlert(ag, { category: 'catering' });
    const a = (await JobAlert.findOne({ user: res.id }).lean())!;
    const other = await loggedIn((await makeUser({ role: 'resident', center: ctx.centers.miaoxi! })).phone);
    const theirs = await submit(other, '/me', `/me/alerts/${a._id}/delete`, { confirm: 'yes' });
    assert.equal(theirs.status, 404);
    assert.ok(await JobAlert.exists({ _id: a._id }), 'someone else cannot delete it');

    const me = await ag.get('/me');
    assert.match(me.text, new RegExp(`action="/me/alerts/${a._id.replace(':', '\\:')}/delete"`));
    assert.match(me.text, /class="button danger"/);
    const ask = await submit(ag, '/me', `/me/alerts/${a._id}/delete`, {});
    assert.equal(ask.status, 200);
    assert.match(ask.text, /删除这个工作提醒？/);
    assert.ok(await JobAlert.exists({ _id: a._id }), 'nothing deleted before the confirmation');
    const done = await submit(ag, '/me', `/me/alerts/${a._id}/delete`, { confirm: 'yes' });
    assert.equal(done.status, 302);
    assert.equal(await JobAlert.exists({ _id: a._id }), null);
    const bucket = await AlertBucket.findById('alerts:any:catering').lean();
    assert.ok(!bucket?.ids.includes(a._id), 'no longer in its bucket');
    const id = await publish(emp, admin, postingFields(ctx.centers.miaoxi!, { category: 'catering', title: '食堂帮厨' }));
    assert.equal(await told(res.id, id), 0);
  });

  it('reads alerts only by _id when a posting is published (no scan of all alerts)', async () => {
    const res = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await saveAlert(await loggedIn(res.phone), { center: ctx.centers.miaoxi!, category: 'retail' });
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!, { category: 'retail', title: '超市理货' }));
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {})).status, 302);
    const ops: { collection: string; method: string; query: unknown }[] = [];
    mongoose.set('debug', (collection: string, method: string, query: unknown) => {
      ops.push({ collection, method, query });
    });
    try {
      assert.equal((await submit(admin, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {})).status, 302);
      await matchingSettled();
    } finally {
      mongoose.set('debug', false);
    }
    assert.equal(await told(res.id, id), 1);
    const alertReads = ops.filter((o) => ['jobalerts', 'alertbuckets', 'alertclaims'].includes(o.collection));
    assert.ok(
      alertReads.some((o) => o.collection === 'alertbuckets'),
      'the buckets were read',
    );
    assert.ok(
      alertReads.some((o) => o.collection === 'jobalerts'),
      'the listed alerts were read',
    );
    for (const o of alertReads) {
      if (o.method === 'insertOne') continue;
      const q = o.query as Record<string, unknown>;
      assert.deepEqual(Object.keys(q), ['_id'], `${o.collection}.${o.method} by _id alone: ${JSON.stringify(q)}`);
      assert.equal(typeof q._id, 'string', `${o.collection}.${o.method} by one _id: ${JSON.stringify(q)}`);
    }
    // At most the posting's center path (3 levels) plus "any", each with its category and "any".
    assert.ok(alertReads.filter((o) => o.collection === 'alertbuckets').length <= 8);
  });

  it('matches a publication left pending (a crash before matching) in the repair job', async () => {
    const res = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await saveAlert(await loggedIn(res.phone), { category: 'domestic' });
    const id = await publish(emp, admin, postingFields(ctx.centers.miaoxi!, { category: 'domestic', title: '保洁' }));
    await Notification.deleteMany({ user: res.id });
    await AlertClaim.deleteOne({ _id: `${res.id}:${id}` });
    await AlertPending.create({ _id: id, at: new Date(Date.now() - 60_000) });
    assert.equal(await matchLeftovers(), 1);
    assert.equal(await told(res.id, id), 1);
    assert.equal(await AlertPending.countDocuments({}), 0);
    // Old claims are swept, recent ones kept.
    await AlertClaim.create({ _id: `${res.id}:old`, at: new Date(Date.now() - 2 * 3600_000) });
    assert.equal(await sweepClaims(3600_000), 1);
    assert.ok(await AlertClaim.exists({ _id: `${res.id}:${id}` }));
  });
});
