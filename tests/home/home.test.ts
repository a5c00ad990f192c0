import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { Posting } from '../../models/posting.ts';
import { agent, csrfFrom, loggedIn, submit } from '../helpers/app.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { freshDemo } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { dayKey } from '../../server/lib/format.ts';

describe('home page: what is near', function () {
  this.timeout(60_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('shows the newest open postings and courses with seats and their next class, to anyone', async () => {
    const newest = await Posting.findOne({ status: 'published', endDay: { $gte: dayKey() } })
      .sort({ publishedAt: -1, _id: -1 })
      .lean();
    assert.ok(newest, 'the demo data has open postings');
    const res = await agent().get('/');
    assert.equal(res.status, 200);
    assert.match(res.text, new RegExp(`data-posting-id="${String(newest._id)}"`));
    const courses = [...res.text.matchAll(/<li class="card course-card" data-course="([a-f\d]{24})"/g)];
    assert.ok(courses.length > 0, 'courses with seats are shown');
    assert.match(res.text, /下次上课/);
    assert.match(res.text, /还剩 \d+ 个名额/);
    assert.doesNotMatch(res.text, /您的服务中心/, 'no center card before we know who is visiting');
    assert.match(res.text, /href="\/register"/);
  });

  it('shows a resident their own center with hours and a phone link, and jobs near it', async () => {
    const ag = await loggedIn('13800000003');
    const res = await ag.get('/');
    assert.equal(res.status, 200);
    assert.match(res.text, /您的服务中心/);
    assert.match(res.text, /庙西村党群服务中心/);
    assert.match(res.text, /每天 8:00–20:00/);
    assert.match(res.text, /href="tel:057685810123"/);
    assert.match(res.text, /东塍镇党群服务中心附近/);
    const me = await ag.get('/me?lang=en');
    assert.match(me.text, /href="tel:057685810123"/);
  });

  it('reads nothing from the database for an anonymous visit once the caches are warm', async () => {
    await agent().get('/');
    const queries: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => {
      queries.push(`${collection}.${method}`);
    });
    try {
      const res = await agent().get('/?lang=en');
      assert.equal(res.status, 200);
      assert.match(res.text, /Newest odd jobs/);
    } finally {
      mongoose.set('debug', false);
    }
    assert.deepEqual(queries, []);
  });

  it("lets staff keep their center's hours and phone current, audited and shown on the home page", async () => {
    const m = ctx.centers.miaoxi!;
    const staff = await loggedIn('13800000001');
    assert.match((await staff.get(`/centers/${m}`)).text, new RegExp(`href="/staff/centers/${m}/contact"`));
    const bad = await submit(staff, `/staff/centers/${m}/contact`, `/staff/centers/${m}/contact`, {
      hours: '每天 7:30–21:00',
      phone: 'call me',
      address: '村委旁',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /value="每天 7:30–21:00"/);
    const ok = await submit(staff, `/staff/centers/${m}/contact`, `/staff/centers/${m}/contact`, {
      hours: '每天 7:30–21:00',
      phone: '0576-85810999',
      address: '村委旁',
    });
    assert.equal(ok.status, 302);
    assert.equal(await AuditEntry.countDocuments({ action: 'center.contact', targetId: m }), 1);
    const home = await (await loggedIn('13800000003')).get('/');
    assert.match(home.text, /每天 7:30–21:00/);
    assert.match(home.text, /href="tel:057685810999"/);
    // Staff of another town cannot change it.
    const other = await loggedIn('13800000005');
    assert.equal((await other.get(`/staff/centers/${m}/contact`)).status, 403);
    const token = csrfFrom((await other.get('/profile')).text);
    assert.equal((await other.post(`/staff/centers/${m}/contact`).type('form').send({ _csrf: token, hours: 'x' })).status, 403);
  });
});
