import assert from 'node:assert/strict';
import { loggedIn, submit, agent } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { Posting } from '../../models/posting.ts';
import { Employer } from '../../models/employer.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { Notification } from '../../models/notification.ts';
import { expirePostings } from '../../server/gigs/service/lifecycle.ts';
import { isValidCreditCode, withCheckChar } from '../../server/gigs/credit-code.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { createPostingHttp, postingFields, sendPostingForm, verifiedEmployer, inDays, refusedForm } from './helpers.ts';

const status = async (id: string) => (await Posting.findById(id, { status: 1 }).lean())!.status;

describe('gigs: posting life cycle', () => {
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('draft → submitted → published → closed, with the staff decision audited and the employer told', async () => {
    const emp = await loggedIn('13800000002');
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!, { title: '灯笼组装帮工', suitability: ['older', 'light'] }));
    assert.equal(await status(id), 'draft');
    const p = await Posting.findById(id).lean();
    assert.equal(p!.payFen, 15000);
    assert.deepEqual([...p!.suitability].sort(), ['light', 'older']);
    assert.match(p!.code, /^\d{6}$/);
    // A draft is not public.
    assert.equal((await agent().get(`/gigs/${id}`)).status, 404);

    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {})).status, 302);
    assert.equal(await status(id), 'submitted');

    const staff = await loggedIn('13800000001');
    const queue = await staff.get('/staff/moderation');
    assert.match(queue.text, /灯笼组装帮工/);
    assert.equal((await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {})).status, 302);
    assert.equal(await status(id), 'published');
    assert.ok(await AuditEntry.exists({ action: 'gigs.posting.approve', targetId: id }));
    assert.ok(await Notification.exists({ user: ctx.users.employer, type: 'gigPostingApproved' }));
    const pub = await agent().get(`/gigs/${id}`);
    assert.equal(pub.status, 200);
    assert.match(pub.text, /<svg/);
    assert.match(pub.text, /150\.00/);

    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/close`, { confirm: 'yes' })).status, 302);
    assert.equal(await status(id), 'closed');
    // Illegal from closed: submit, close, approve, edit.
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {})).status, 409);
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/close`, { confirm: 'yes' })).status, 409);
    const approve = await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {});
    assert.equal(approve.status, 409);
    assert.match(approve.text, /已关闭/);
    const edit = await sendPostingForm(emp, `/employer/postings/${id}`, postingFields(ctx.centers.miaoxi!));
    assert.equal(edit.status, 409);
  });

  it('rejected with a reason the employer sees; editing makes it a draft to resubmit', async () => {
    const emp = await loggedIn('13800000002');
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!));
    await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {});
    const staff = await loggedIn('13800000001');
    const noReason = await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/reject`, { reason: '' });
    assert.equal(noReason.status, 400);
    assert.equal(await status(id), 'submitted');
    assert.equal((await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/reject`, { reason: '工钱写得不清楚' })).status, 302);
    assert.equal(await status(id), 'rejected');
    assert.ok(await AuditEntry.exists({ action: 'gigs.posting.reject', targetId: id }));
    const page = await emp.get(`/employer/postings/${id}`);
    assert.match(page.text, /工钱写得不清楚/);
    // Rejected → approve is illegal.
    assert.equal((await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {})).status, 409);
    const edit = await sendPostingForm(emp, `/employer/postings/${id}`, postingFields(ctx.centers.miaoxi!, { pay: '180' }));
    assert.equal(edit.status, 302);
    assert.equal(await status(id), 'draft');
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {})).status, 302);
    assert.equal(await status(id), 'submitted');
  });

  it('editing a published posting sends it back to review', async () => {
    const emp = await loggedIn('13800000002');
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!));
    await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {});
    const staff = await loggedIn('13800000001');
    await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {});
    assert.equal(await status(id), 'published');
    const res = await sendPostingForm(emp, `/employer/postings/${id}`, postingFields(ctx.centers.miaoxi!, { title: '改过的标题' }));
    assert.equal(res.status, 302);
    assert.equal(await status(id), 'submitted');
    assert.equal((await agent().get(`/gigs/${id}`)).status, 404, 'hidden while under review again');
  });

  it('illegal transitions are 409 with a clear message: approve a draft, submit twice', async () => {
    const emp = await loggedIn('13800000002');
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!));
    const staff = await loggedIn('13800000001');
    const res = await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {});
    assert.equal(res.status, 409);
    assert.match(res.text, /草稿/);
    await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {});
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {})).status, 409);
  });

  it('expires published postings after their end date', async () => {
    const emp = await loggedIn('13800000002');
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!, { startDay: inDays(0), endDay: inDays(1) }));
    await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {});
    await submit(await loggedIn('13800000001'), `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {});
    assert.equal(await expirePostings(inDays(1)), 0);
    assert.ok((await expirePostings(inDays(2))) >= 1);
    assert.equal(await status(id), 'expired');
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/close`, { confirm: 'yes' })).status, 409);
  });

  it('refuses bad form input with words, keeping what was typed', async () => {
    const emp = await loggedIn('13800000002');
    const res = await refusedForm(
      emp,
      await sendPostingForm(
        emp,
        '/employer/postings',
        postingFields(ctx.centers.miaoxi!, { title: '留下的标题', pay: 'abc', headcount: '501', endDay: inDays(0), startDay: inDays(3) }),
      ),
    );
    assert.match(res.text, /结束日期不能早于开始日期/, 'the date error shows with the others');
    assert.match(res.text, /请填写工钱金额/);
    assert.match(res.text, /1 到 500/);
    assert.match(res.text, /value="留下的标题"/);
  });
});

describe('gigs: employers and verification', () => {
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('checks the unified social credit code, including its check character', () => {
    const good = withCheckChar('91331082MA2AN7KL3');
    assert.ok(isValidCreditCode(good));
    assert.ok(isValidCreditCode('91350100M000100Y43'), 'a published real-world example');
    const last = good.at(-1)!;
    const wrong = good.slice(0, 17) + (last === '0' ? '1' : '0');
    assert.ok(!isValidCreditCode(wrong));
    assert.ok(!isValidCreditCode(good.slice(0, 17)));
    assert.ok(!isValidCreditCode(`${good.slice(0, 16)}I${last}`), 'I is not in the alphabet');
  });

  it('an unverified employer can draft but not submit; staff verify, then submit works', async () => {
    const u = await makeUser({ role: 'employer', center: ctx.centers.miaoxi! });
    const emp = await loggedIn(u.phone);
    const base = { name: '新公司', contactName: '张三', phone: '13912345678', address: '庙西村', center: ctx.centers.miaoxi! };
    const badCode = await submit(emp, '/employer/profile', '/employer/profile', { ...base, creditCode: '91331082MA2AN7KL30' });
    // The profile form is multipart in the browser; urlencoded posts work the same way.
    assert.equal(badCode.status, 400);
    assert.match(badCode.text, /统一社会信用代码不对/);
    assert.equal(await Employer.countDocuments({ user: u.id }), 0);
    const ok = await submit(emp, '/employer/profile', '/employer/profile', { ...base, creditCode: withCheckChar('91331082MA2AN7KL3').toLowerCase() });
    assert.equal(ok.status, 302);
    const profile = await Employer.findOne({ user: u.id }).lean();
    assert.equal(profile!.status, 'pending');

    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!));
    const refused = await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {});
    assert.equal(refused.status, 409);
    assert.match(refused.text, /企业认证通过后才能提交/);
    assert.equal(await status(id), 'draft');

    // Xunqiao staff cannot verify a Miaoxi employer.
    const xunqiao = await loggedIn('13800000005');
    const miaoxi = await loggedIn('13800000001');
    const page = await miaoxi.get(`/staff/employers/${String(profile!._id)}`);
    assert.equal(page.status, 200);
    assert.equal((await xunqiao.get(`/staff/employers/${String(profile!._id)}`)).status, 403);
    const token = /name="_csrf" value="([^"]+)"/.exec((await xunqiao.get('/staff/moderation')).text)![1]!;
    assert.equal(
      (
        await xunqiao
          .post(`/staff/employers/${String(profile!._id)}/verify`)
          .type('form')
          .send({ _csrf: token })
      ).status,
      403,
    );
    assert.equal((await Employer.findById(profile!._id).lean())!.status, 'pending');

    const rejected = await submit(miaoxi, `/staff/employers/${String(profile!._id)}`, `/staff/employers/${String(profile!._id)}/reject`, {
      reason: '执照照片看不清',
    });
    assert.equal(rejected.status, 302);
    assert.match((await emp.get('/employer/profile')).text, /执照照片看不清/);
    assert.ok(await Notification.exists({ user: u.id, type: 'gigEmployerRejected' }));
    assert.equal((await submit(miaoxi, `/staff/employers/${String(profile!._id)}`, `/staff/employers/${String(profile!._id)}/verify`, {})).status, 302);
    assert.ok(await AuditEntry.exists({ action: 'gigs.employer.verify', targetId: String(profile!._id) }));
    assert.ok(await AuditEntry.exists({ action: 'gigs.employer.reject', targetId: String(profile!._id) }));
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {})).status, 302);
    assert.equal(await status(id), 'submitted');
  });

  it("staff of one town cannot moderate another town's postings", async () => {
    const emp = await loggedIn('13800000002');
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!));
    await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {});
    const xunqiao = await loggedIn('13800000005');
    assert.doesNotMatch((await xunqiao.get('/staff/moderation')).text, new RegExp(id));
    assert.equal((await xunqiao.get(`/staff/postings/${id}`)).status, 403);
    const token = /name="_csrf" value="([^"]+)"/.exec((await xunqiao.get('/staff/moderation')).text)![1]!;
    assert.equal((await xunqiao.post(`/staff/postings/${id}/approve`).type('form').send({ _csrf: token })).status, 403);
    assert.equal((await xunqiao.post(`/staff/postings/${id}/reject`).type('form').send({ _csrf: token, reason: 'x' })).status, 403);
    assert.equal(await status(id), 'submitted');
    // Staff of the town above Miaoxi can.
    const dongcheng = await makeUser({ role: 'staff', center: ctx.centers.dongcheng! });
    const town = await loggedIn(dongcheng.phone);
    assert.equal((await submit(town, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {})).status, 302);
    assert.equal(await status(id), 'published');
  });

  it("employer A can neither see nor change employer B's postings or applicants", async () => {
    const b = await verifiedEmployer(ctx.centers.miaoxi!);
    const agB = await loggedIn(b.phone);
    const id = await createPostingHttp(agB, postingFields(ctx.centers.miaoxi!, { title: '乙的招工' }));
    const a = await loggedIn('13800000002');
    assert.equal((await a.get(`/employer/postings/${id}`)).status, 404);
    assert.equal((await a.get(`/employer/postings/${id}/edit`)).status, 404);
    assert.doesNotMatch((await a.get('/employer/postings')).text, /乙的招工/);
    const edit = await sendPostingForm(a, `/employer/postings/${id}`, postingFields(ctx.centers.miaoxi!, { title: '被改了' }));
    assert.equal(edit.status, 404);
    assert.equal((await submit(a, '/employer/postings', `/employer/postings/${id}/submit`, {})).status, 404);
    assert.equal((await submit(a, '/employer/postings', `/employer/postings/${id}/close`, { confirm: 'yes' })).status, 404);
    assert.equal((await Posting.findById(id).lean())!.title, '乙的招工');
    // A resident cannot use employer pages at all.
    assert.equal((await (await loggedIn('13800000003')).get('/employer/postings')).status, 403);
  });
});
