import assert from 'node:assert/strict';
import { loggedIn, submit, csrfFrom } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { Posting } from '../../models/posting.ts';
import { PostingSlot } from '../../models/posting-slot.ts';
import { Application } from '../../models/application.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { Notification } from '../../models/notification.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { publishedPosting, verifiedEmployer } from './helpers.ts';

describe('gigs: applying, withdrawing, accepting', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
  });

  it('a resident applies through the posting page; the employer is told and the page says it is waiting', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!);
    const res = await loggedIn('13800000004');
    const ok = await submit(res, `/gigs/${id}`, `/gigs/${id}/apply`, { message: '我手快', availability: '上午' });
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.location, '/me/applications');
    const { title } = (await Posting.findById(id, { title: 1 }).lean())!;
    assert.ok(await Notification.exists({ user: ctx.users.employer, type: 'gigApplicationReceived', 'params.title': title }));
    assert.match((await res.get(`/gigs/${id}`)).text, /等待回复/);
  });

  it('a second application by the same resident is refused with a message', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!);
    const res = await loggedIn('13800000004');
    assert.equal((await submit(res, `/gigs/${id}`, `/gigs/${id}/apply`, {})).status, 302);
    const token = csrfFrom((await res.get('/me/applications')).text);
    const again = await res.post(`/gigs/${id}/apply`).type('form').send({ _csrf: token, message: '' });
    assert.equal(again.status, 409);
    assert.match(again.text, /已经报名过/);
    assert.equal(await Application.countDocuments({ posting: id }), 1);
  });

  it('the database itself refuses a second active application, bypassing the service', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!);
    await applications.apply({ id: ctx.users.resident! }, id, { message: '', availability: '' });
    const first = await Application.findOne({ posting: id }).lean();
    await assert.rejects(Application.create({ ...first, _id: undefined }), (e: { code?: number }) => e.code === 11000);
    assert.equal(await Application.countDocuments({ posting: id }), 1);
  });

  it('eight applications at once by one resident leave exactly one', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => applications.apply({ id: ctx.users.lowIncome! }, id, { message: '', availability: '' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(await Application.countDocuments({ posting: id }), 1);
  });

  it('withdrawing frees the resident to apply again, and appears in My applications', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '撤回测试' });
    const res = await loggedIn('13800000003');
    await submit(res, `/gigs/${id}`, `/gigs/${id}/apply`, {});
    const app = await Application.findOne({ posting: id, resident: ctx.users.resident }).lean();
    const mine = await res.get('/me/applications');
    assert.match(mine.text, /撤回测试/);
    assert.equal((await submit(res, '/me/applications', `/me/applications/${String(app!._id)}/withdraw`, { confirm: 'yes' })).status, 302);
    assert.equal((await Application.findById(app!._id).lean())!.status, 'withdrawn');
    assert.match((await res.get('/me/applications')).text, /已撤回/);
    assert.equal((await submit(res, '/me/applications', `/me/applications/${String(app!._id)}/withdraw`, { confirm: 'yes' })).status, 409);
    assert.equal((await submit(res, `/gigs/${id}`, `/gigs/${id}/apply`, {})).status, 302);
    assert.equal(await Application.countDocuments({ posting: id, resident: ctx.users.resident, status: 'pending' }), 1);
    // Someone else's application cannot be withdrawn.
    const other = await loggedIn('13800000004');
    const again = await Application.findOne({ posting: id, status: 'pending' }).lean();
    assert.equal((await submit(other, '/me/applications', `/me/applications/${String(again!._id)}/withdraw`, { confirm: 'yes' })).status, 404);
  });

  it('refuses applications to postings that are not open', async () => {
    const closed = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { status: 'closed' });
    const res = await loggedIn('13800000003');
    const token = csrfFrom((await res.get('/me/applications')).text);
    assert.equal((await res.post(`/gigs/${closed}/apply`).type('form').send({ _csrf: token })).status, 409);
    const draft = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { status: 'draft' });
    assert.equal((await res.post(`/gigs/${draft}/apply`).type('form').send({ _csrf: token })).status, 409);
    // Employers and staff do not apply for themselves.
    const emp = await loggedIn('13800000002');
    const t2 = csrfFrom((await emp.get('/employer/postings')).text);
    assert.equal((await emp.post(`/gigs/${closed}/apply`).type('form').send({ _csrf: t2 })).status, 403);
  });

  it('50 concurrent accepts on a posting with headcount 3: exactly 3 accepted and the posting filled', async function () {
    this.timeout(120_000);
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 3, title: '并发测试' });
    const residents = await Promise.all(Array.from({ length: 50 }, (_, i) => makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: `居民${i}` })));
    for (const r of residents) await applications.apply({ id: r.id }, id, { message: '', availability: '' });
    // One more who will stay pending and must be told when the posting fills.
    const apps = await Application.find({ posting: id }, { _id: 1 }).lean();
    assert.equal(apps.length, 50);
    const emp = await loggedIn('13800000002');
    const token = csrfFrom((await emp.get(`/employer/postings/${id}`)).text);
    const results = await Promise.all(
      apps.map((a) =>
        emp
          .post(`/employer/applications/${String(a._id)}/accept`)
          .type('form')
          .send({ _csrf: token }),
      ),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 302).length, 3, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 409).length, 47);
    assert.equal(await Application.countDocuments({ posting: id, status: 'accepted' }), 3);
    assert.equal(await PostingSlot.countDocuments({ posting: id }), 3);
    const p = await Posting.findById(id).lean();
    assert.equal(p!.status, 'filled');
    assert.equal(p!.acceptedCount, 3);
    assert.equal(await Notification.countDocuments({ type: 'gigPostingFilledApplicant', 'params.title': '并发测试' }), 47);
    assert.equal(await Notification.countDocuments({ type: 'gigApplicationAccepted', 'params.title': '并发测试' }), 3);
    // Filled: new applications are refused; the public page says so.
    const late = await loggedIn('13800000003');
    const t2 = csrfFrom((await late.get('/me/applications')).text);
    assert.equal((await late.post(`/gigs/${id}/apply`).type('form').send({ _csrf: t2 })).status, 409);
    assert.match((await late.get(`/gigs/${id}`)).text, /已经招满/);
  });

  it('an accepted applicant who withdraws gives the seat back and reopens a filled posting', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { headcount: 1 });
    const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const appId = await applications.apply({ id: r.id }, id, { message: '', availability: '' });
    const emp = await loggedIn('13800000002');
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/applications/${appId}/accept`, {})).status, 302);
    assert.equal((await Posting.findById(id).lean())!.status, 'filled');
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/applications/${appId}/accept`, {})).status, 409);
    const ra = await loggedIn(r.phone);
    // Once hired, cancelling asks the person to tell the employer first.
    const untold = await submit(ra, `/me/applications/${appId}/withdraw`, `/me/applications/${appId}/withdraw`, { confirm: 'yes' });
    assert.equal(untold.status, 400);
    assert.match(untold.text, /请先打电话告诉雇主/);
    assert.equal(await PostingSlot.countDocuments({ posting: id }), 1);
    assert.equal((await submit(ra, `/me/applications/${appId}/withdraw`, `/me/applications/${appId}/withdraw`, { told: 'on', confirm: 'yes' })).status, 302);
    assert.equal(await PostingSlot.countDocuments({ posting: id }), 0);
    assert.equal((await Posting.findById(id).lean())!.status, 'published');
  });

  it("the employer rejects a pending applicant, who is told; employer B cannot touch A's applicants", async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!);
    const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const appId = await applications.apply({ id: r.id }, id, { message: '', availability: '' });
    const b = await verifiedEmployer(ctx.centers.miaoxi!);
    const agB = await loggedIn(b.phone);
    assert.equal((await submit(agB, '/employer/postings', `/employer/applications/${appId}/accept`, {})).status, 404);
    assert.equal((await submit(agB, '/employer/postings', `/employer/applications/${appId}/reject`, { confirm: 'yes' })).status, 404);
    assert.equal((await agB.get(`/employer/postings/${id}`)).status, 404);
    assert.equal((await Application.findById(appId).lean())!.status, 'pending');
    const emp = await loggedIn('13800000002');
    const page = await emp.get(`/employer/postings/${id}`);
    assert.match(page.text, new RegExp(r.phone));
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/applications/${appId}/reject`, { confirm: 'yes' })).status, 302);
    assert.equal((await Application.findById(appId).lean())!.status, 'rejected');
    assert.ok(await Notification.exists({ user: r.id, type: 'gigApplicationRejected' }));
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/applications/${appId}/accept`, {})).status, 409);
  });

  it('staff at the desk apply for a resident found by phone, with consent, in the audit log', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '代报名测试' });
    const staff = await loggedIn('13800000001');
    const page = `/staff/postings/${id}/apply-for`;
    const noConsent = await submit(staff, page, page, { phone: '13800000004' });
    assert.equal(noConsent.status, 400);
    assert.match(noConsent.text, /同意/);
    const unknown = await submit(staff, page, page, { phone: '13911112222', consent: 'on' });
    assert.equal(unknown.status, 404);
    const ok = await submit(staff, page, page, { phone: '13800000004', consent: 'on', message: '本人到窗口' });
    assert.equal(ok.status, 302);
    const app = await Application.findOne({ posting: id, resident: ctx.users.lowIncome }).lean();
    assert.ok(app);
    assert.equal(String(app.onBehalfBy), ctx.users.miaoxiStaff);
    assert.ok(await AuditEntry.exists({ action: 'gigs.application.onBehalf', targetId: String(app._id) }));
    const dup = await submit(staff, page, page, { phone: '13800000004', consent: 'on' });
    assert.equal(dup.status, 409);
    assert.match(dup.text, /已经报名过/);
    // Xunqiao staff cannot apply for a Miaoxi resident, and hear the same as for an unknown number.
    const xunqiao = await loggedIn('13800000005');
    assert.equal((await submit(xunqiao, page, page, { phone: '13800000003', consent: 'on' })).status, 404);
  });
});
