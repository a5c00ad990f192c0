import assert from 'node:assert/strict';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import { Posting } from '../../models/posting.ts';
import { Employer } from '../../models/employer.ts';
import { PayAnswer } from '../../models/pay-answer.ts';
import { PayRecord } from '../../models/pay-record.ts';
import { ArrearsCase } from '../../models/arrears-case.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { Notification } from '../../models/notification.ts';
import { answerPay, askAboutPay } from '../../server/arrears/answers.ts';
import { commandsOf } from '../helpers/commands.ts';
import { rebuildPayRecords } from '../../server/arrears/record.ts';
import { publishedPosting, verifiedEmployer, inDays } from '../gigs/helpers.ts';
import { endJob, hiredJob } from './helpers.ts';

const record = async (employer: string) => PayRecord.findById(employer, { _id: 0, onTime: 1, late: 1, unpaid: 1, openCases: 1 }).lean();

describe('arrears: were you paid?', function () {
  this.timeout(120_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('asks only hired workers, only after the last day, on their list and by one message', async () => {
    const emp = await verifiedEmployer(ctx.centers.miaoxi!, '问工钱公司');
    const running = await hiredJob(emp, ctx.centers.miaoxi!, { title: '还在干的活', ended: false });
    const ended = await hiredJob(emp, ctx.centers.miaoxi!, { title: '干完的活' });
    // An applicant who was never hired is not asked.
    const pendingWorker = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const other = await publishedPosting(emp.id, ctx.centers.miaoxi!, { title: '没录用的活' });
    const pendingApp = await applications.apply({ id: pendingWorker.id }, other, { message: '', availability: '' });
    await endJob(other);

    const w1 = await loggedIn(running.worker.phone);
    assert.doesNotMatch((await w1.get('/me/applications')).text, /data-pay-question/, 'not before the last day has passed');
    const early = await submit(w1, '/me/applications', `/me/applications/${running.appId}/pay`, { answer: 'onTime' });
    assert.equal(early.status, 409);
    assert.match(early.text, /最后一天过后/);

    const w2 = await loggedIn(ended.worker.phone);
    const list = await w2.get('/me/applications');
    assert.match(list.text, new RegExp(`id="pay-${ended.appId}" data-pay-question="due"`));
    assert.match(list.text, /工钱发了吗/);
    assert.match(list.text, /value="unpaid"/);

    const w3 = await loggedIn(pendingWorker.phone);
    assert.doesNotMatch((await w3.get('/me/applications')).text, /data-pay-question/, 'only hired workers');
    assert.equal((await submit(w3, '/me/applications', `/me/applications/${pendingApp}/pay`, { answer: 'unpaid' })).status, 404);
    // Someone else's job answers like an unknown one.
    assert.equal((await submit(w3, '/me/applications', `/me/applications/${ended.appId}/pay`, { answer: 'unpaid' })).status, 404);

    let sent = 0;
    const { scans } = await commandsOf(async () => {
      sent = await askAboutPay();
    });
    assert.ok(sent >= 1);
    // The jobs are found by their last day (postings, named); the hired through the jobs' slots, by `_id`.
    assert.deepEqual(
      scans.filter((c) => !/^find postings /.test(c)),
      [],
    );
    assert.equal(await Notification.countDocuments({ user: ended.worker.id, type: 'arrearsAsk' }), 1);
    assert.equal(await Notification.countDocuments({ user: running.worker.id, type: 'arrearsAsk' }), 0);
    assert.equal(await Notification.countDocuments({ user: pendingWorker.id, type: 'arrearsAsk' }), 0);
    assert.equal(await askAboutPay(), 0, 'once');
    assert.equal(await Notification.countDocuments({ user: ended.worker.id, type: 'arrearsAsk' }), 1);
    assert.match((await w2.get('/notifications')).text, /干完的活.*工钱发了吗/);
  });

  it('takes one answer; a second is refused, and a wrong value comes back in words', async () => {
    const emp = await verifiedEmployer(ctx.centers.miaoxi!, '答一次公司');
    const job = await hiredJob(emp, ctx.centers.miaoxi!);
    const w = await loggedIn(job.worker.phone);
    const bad = await submit(w, '/me/applications', `/me/applications/${job.appId}/pay`, { answer: 'maybe' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /请选一项/);
    const first = await submit(w, '/me/applications', `/me/applications/${job.appId}/pay`, { answer: 'onTime' });
    assert.equal(first.status, 302);
    assert.equal(first.headers.location, `/me/applications#pay-${job.appId}`);
    const second = await submit(w, '/me/applications', `/me/applications/${job.appId}/pay`, { answer: 'unpaid' });
    assert.equal(second.status, 409);
    assert.match(second.text, /已经回答过/);
    assert.equal((await PayAnswer.findById(`${job.postingId}:${job.worker.id}`).lean())!.answer, 'onTime');
    assert.deepEqual(await record(emp.id), { onTime: 1, late: 0, unpaid: 0, openCases: 0 });
    assert.equal(await ArrearsCase.countDocuments({ employer: emp.id }), 0);
    assert.match((await w.get('/me/applications')).text, /data-pay-question="onTime"[\s\S]*按时发了/);
  });

  it('"not paid" opens a case that stops every path to publishing until staff settle it', async () => {
    const emp = await verifiedEmployer(ctx.centers.miaoxi!, '欠薪公司');
    const job = await hiredJob(emp, ctx.centers.miaoxi!, { title: '搬砖三天' });
    // Postings on the way to publishing: a draft, one awaiting review, one closed while published.
    const draft = await publishedPosting(emp.id, ctx.centers.miaoxi!, { status: 'draft', publishedAt: null, title: '新招工' });
    const submitted = await publishedPosting(emp.id, ctx.centers.miaoxi!, { status: 'submitted', publishedAt: null, title: '待审核招工' });
    const closed = await publishedPosting(emp.id, ctx.centers.miaoxi!, { status: 'closed', closedFrom: 'published', title: '关掉的招工' });

    const w = await loggedIn(job.worker.phone);
    const res = await submit(w, '/me/applications', `/me/applications/${job.appId}/pay`, { answer: 'unpaid' });
    assert.equal(res.status, 302);
    const c = await ArrearsCase.findById(`${job.postingId}:${job.worker.id}`).lean();
    assert.equal(c?.state, 'open');
    assert.equal(String(c?.center), ctx.centers.miaoxi);
    assert.deepEqual(await record(emp.id), { onTime: 0, late: 0, unpaid: 1, openCases: 1 });
    assert.ok(await AuditEntry.exists({ action: 'arrears.case.open', targetId: job.postingId }));
    assert.ok(await Notification.exists({ user: emp.id, type: 'arrearsCaseOpened' }));
    assert.match((await w.get('/me/applications')).text, /服务中心正在帮您处理/);

    const e = await loggedIn(emp.phone);
    const page = await e.get('/employer/postings');
    assert.match(page.text, /data-arrears-open/);
    assert.match(page.text, /搬砖三天/);
    assert.match((await e.get(`/employer/postings/${draft}`)).text, /data-arrears-open/, 'beside the submit button too');
    const refusedSubmit = await submit(e, `/employer/postings/${draft}`, `/employer/postings/${draft}/submit`, {});
    assert.equal(refusedSubmit.status, 409);
    assert.match(refusedSubmit.text, /暂时不能发布招工/);
    assert.match(refusedSubmit.text, /搬砖三天/);
    const en = await e.get(`/employer/postings/${draft}?lang=en`);
    assert.equal(en.status, 200);
    const refusedEn = await submit(e, `/employer/postings/${draft}`, `/employer/postings/${draft}/submit`, {});
    assert.match(refusedEn.text, /You cannot publish for now/);
    await e.get('/employer/postings?lang=zh-CN');
    assert.equal((await submit(e, `/employer/postings/${closed}`, `/employer/postings/${closed}/reopen`, {})).status, 409);
    const staff = await loggedIn('13800000001');
    const refusedApprove = await submit(staff, `/staff/postings/${submitted}`, `/staff/postings/${submitted}/approve`, {});
    assert.equal(refusedApprove.status, 409);
    assert.match(refusedApprove.text, /欠薪/);
    for (const id of [draft, submitted, closed]) assert.notEqual((await Posting.findById(id, { status: 1 }).lean())!.status, 'published');

    // Staff of the posting's center see it, note, and settle it.
    const list = await staff.get('/staff/arrears');
    assert.match(list.text, new RegExp(`data-case="${c!._id}"`));
    const caseUrl = `/staff/arrears/${c!._id}`;
    const shown = await staff.get(caseUrl);
    assert.match(shown.text, /搬砖三天/);
    assert.match(shown.text, new RegExp(job.worker.phone));
    const note = await submit(staff, caseUrl, `${caseUrl}/notes`, { text: '已电话联系雇主，答应周五前发' });
    assert.equal(note.status, 302);
    assert.match((await staff.get(caseUrl)).text, /答应周五前发/);
    assert.ok(await AuditEntry.exists({ action: 'arrears.case.note', targetId: job.postingId }));
    const empty = await submit(staff, caseUrl, `${caseUrl}/resolve`, { resolution: 'referred', text: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /<option value="referred" selected>/, 'the choice comes back');
    assert.equal((await ArrearsCase.findById(c!._id, { state: 1 }).lean())!.state, 'open');
    const done = await submit(staff, caseUrl, `${caseUrl}/resolve`, { resolution: 'referred', text: '雇主失联，已转劳动保障监察大队' });
    assert.equal(done.status, 302);
    const after = await ArrearsCase.findById(c!._id).lean();
    assert.equal(after!.state, 'resolved');
    assert.equal(after!.resolution, 'referred');
    assert.ok(await AuditEntry.exists({ action: 'arrears.case.referred', targetId: job.postingId }));
    assert.deepEqual(await record(emp.id), { onTime: 0, late: 0, unpaid: 1, openCases: 0 }, 'still not paid, but no longer open');
    assert.equal((await submit(staff, caseUrl, `${caseUrl}/resolve`, { resolution: 'paid', text: '再来一次' })).status, 409);
    assert.equal((await submit(staff, caseUrl, `${caseUrl}/notes`, { text: '处理完还记' })).status, 409);

    // Every path is open again.
    assert.equal((await submit(e, `/employer/postings/${draft}`, `/employer/postings/${draft}/submit`, {})).status, 302);
    assert.equal((await submit(staff, `/staff/postings/${submitted}`, `/staff/postings/${submitted}/approve`, {})).status, 302);
    assert.equal((await submit(e, `/employer/postings/${closed}`, `/employer/postings/${closed}/reopen`, {})).status, 302);
    assert.equal((await Posting.findById(closed, { status: 1 }).lean())!.status, 'published');
    assert.doesNotMatch((await e.get('/employer/postings')).text, /data-arrears-open/);
  });

  it('staff of another center cannot see or settle a case: it answers like an unknown one', async () => {
    const emp = await verifiedEmployer(ctx.centers.miaoxi!, '外中心公司');
    const job = await hiredJob(emp, ctx.centers.miaoxi!, { title: '别处看不到的活' });
    const w = await loggedIn(job.worker.phone);
    await submit(w, '/me/applications', `/me/applications/${job.appId}/pay`, { answer: 'unpaid' });
    const caseUrl = `/staff/arrears/${job.postingId}:${job.worker.id}`;
    const far = await loggedIn('13800000005');
    assert.doesNotMatch((await far.get('/staff/arrears')).text, /别处看不到的活/);
    const unknown = await far.get(`/staff/arrears/${job.postingId}:5f0000000000000000000001`);
    const hidden = await far.get(caseUrl);
    assert.equal(hidden.status, 404);
    assert.equal(unknown.status, 404);
    assert.doesNotMatch(hidden.text, /别处看不到的活/);
    assert.equal((await submit(far, '/staff/arrears', `${caseUrl}/notes`, { text: '越权记录' })).status, 404);
    assert.equal((await submit(far, '/staff/arrears', `${caseUrl}/resolve`, { resolution: 'paid', text: '越权了结' })).status, 404);
    const c = await ArrearsCase.findById(`${job.postingId}:${job.worker.id}`).lean();
    assert.equal(c!.state, 'open');
    assert.equal(c!.notes.length, 0);
    // An admin (city level) covers every center.
    const admin = await loggedIn('13800000000');
    assert.equal((await admin.get(caseUrl)).status, 200);
  });

  it('a worker paid after all turns "not paid" into "paid late", which settles the case', async () => {
    const emp = await verifiedEmployer(ctx.centers.miaoxi!, '后来发了公司');
    const job = await hiredJob(emp, ctx.centers.miaoxi!);
    const w = await loggedIn(job.worker.phone);
    await submit(w, '/me/applications', `/me/applications/${job.appId}/pay`, { answer: 'unpaid' });
    assert.match((await w.get('/me/applications')).text, /后来发了/);
    const res = await submit(w, '/me/applications', `/me/applications/${job.appId}/pay`, { answer: 'late' });
    assert.equal(res.status, 302);
    const c = await ArrearsCase.findById(`${job.postingId}:${job.worker.id}`).lean();
    assert.equal(c!.state, 'resolved');
    assert.equal(c!.resolution, 'paid');
    assert.deepEqual(await record(emp.id), { onTime: 0, late: 1, unpaid: 0, openCases: 0 });
    assert.ok(await AuditEntry.exists({ action: 'arrears.answer.change', targetId: job.postingId }));
    assert.ok(await AuditEntry.exists({ action: 'arrears.case.paid', targetId: job.postingId }));
    // Only towards paid: "paid late" cannot become "on time".
    assert.equal((await submit(w, '/me/applications', `/me/applications/${job.appId}/pay`, { answer: 'onTime' })).status, 409);
  });

  it('staff at the desk answer for a resident of their center, audited; other centers cannot', async () => {
    const emp = await verifiedEmployer(ctx.centers.miaoxi!, '窗口公司');
    const job = await hiredJob(emp, ctx.centers.miaoxi!, { title: '窗口登记的活' });
    const far = await loggedIn('13800000005');
    const farRes = await submit(far, '/staff/residents', `/staff/residents/${job.worker.id}/pay`, { application: job.appId, answer: 'unpaid' });
    assert.equal(farRes.status, 404);
    assert.equal(await PayAnswer.countDocuments({ worker: job.worker.id }), 0);

    const staff = await loggedIn('13800000001');
    const page = await staff.get(`/staff/residents/${job.worker.id}`);
    assert.match(page.text, /窗口登记的活/);
    assert.match(page.text, new RegExp(`action="/staff/residents/${job.worker.id}/pay"`));
    assert.match(page.text, new RegExp(`name="application" value="${job.appId}"`));
    const res = await submit(staff, `/staff/residents/${job.worker.id}`, `/staff/residents/${job.worker.id}/pay`, { application: job.appId, answer: 'unpaid' });
    assert.equal(res.status, 302);
    const a = await PayAnswer.findById(`${job.postingId}:${job.worker.id}`).lean();
    assert.equal(a!.answer, 'unpaid');
    assert.equal(a!.onBehalf, true);
    assert.equal(String(a!.by), ctx.users.miaoxiStaff);
    assert.ok(await AuditEntry.exists({ action: 'arrears.desk.unpaid', actor: ctx.users.miaoxiStaff, targetId: job.postingId }));
    assert.equal((await ArrearsCase.findById(a!._id, { state: 1 }).lean())!.state, 'open');
    assert.match((await staff.get(`/staff/residents/${job.worker.id}`)).text, /在服务中心窗口登记/);

    // The audit log says it in words, in both languages.
    const admin = await loggedIn('13800000000');
    const log = await admin.get('/admin/audit?kind=arrears');
    assert.match(log.text, /在窗口替 .+ 登记“窗口登记的活”（窗口公司）的工钱：没发/);
    assert.doesNotMatch(log.text.slice(log.text.indexOf('<tbody>')), /arrears\.|unpaid/);
    assert.match((await admin.get('/admin/audit?kind=arrears&lang=en')).text, /recorded at the desk for .+: not paid for “窗口登记的活”/);
    await admin.get('/admin/audit?lang=zh-CN');
  });

  it('the public profile says "paid on time N of M", counting answered jobs only, and the record can be rebuilt', async () => {
    const emp = await verifiedEmployer(ctx.centers.miaoxi!, '记录公司');
    const profile = (await Employer.findOne({ user: emp.id }).lean())!;
    const anon = agent();
    assert.match((await anon.get(`/gigs/employers/${String(profile._id)}`)).text, /data-record="none"/);
    const jobs = await Promise.all([0, 1, 2, 3].map((i) => hiredJob(emp, ctx.centers.miaoxi!, { title: `记录活${i}` })));
    const answers = ['onTime', 'onTime', 'late'] as const; // the fourth is never answered
    for (const [i, answer] of answers.entries()) {
      const w = await loggedIn(jobs[i]!.worker.phone);
      assert.equal((await submit(w, '/me/applications', `/me/applications/${jobs[i]!.appId}/pay`, { answer })).status, 302);
    }
    const page = await anon.get(`/gigs/employers/${String(profile._id)}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /data-record="2\/3"/);
    assert.match(page.text, /按时发工资 2\/3 次/);
    assert.match((await anon.get(`/gigs/employers/${String(profile._id)}?lang=en`)).text, /Paid on time 2 of 3/);
    // A live posting of theirs links to it and shows the record.
    const live = await publishedPosting(emp.id, ctx.centers.miaoxi!, { title: '记录公司招工' });
    const detail = await agent().get(`/gigs/${live}`);
    assert.match(detail.text, new RegExp(`href="/gigs/employers/${String(profile._id)}"`));
    assert.match(detail.text, /按时发工资 2\/3 次/);
    // An unverified employer has no public page.
    const pending = await verifiedEmployer(ctx.centers.miaoxi!, '待认证公司');
    const p2 = await Employer.findOneAndUpdate({ user: pending.id }, { $set: { status: 'pending' } }, { returnDocument: 'after' }).lean();
    assert.equal((await anon.get(`/gigs/employers/${String(p2!._id)}`)).status, 404);
    assert.equal((await anon.get('/gigs/employers/not-an-id')).status, 404);

    // Exact and repairable: a rebuild finds nothing to fix, and puts a damaged record right.
    assert.equal(await rebuildPayRecords(), 0);
    await PayRecord.updateOne({ _id: emp.id }, { $set: { onTime: 9, openCases: 3 } });
    assert.ok((await rebuildPayRecords()) >= 1);
    assert.deepEqual(await record(emp.id), { onTime: 2, late: 1, unpaid: 0, openCases: 0 });
  });

  it('keeps the record exact when answers arrive at once, and a double press counts once', async () => {
    const emp = await verifiedEmployer(ctx.centers.miaoxi!, '同时回答公司');
    const jobs = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => hiredJob(emp, ctx.centers.miaoxi!, { title: `同时${i}` })));
    const kinds = ['onTime', 'late', 'unpaid', 'onTime', 'unpaid', 'onTime'] as const;
    const press = (i: number) =>
      answerPay({ id: jobs[i]!.worker.id, name: jobs[i]!.worker.name, role: 'resident' } as Express.User, jobs[i]!.worker.id, jobs[i]!.appId, kinds[i]!);
    const results = await Promise.allSettled(jobs.flatMap((_j, i) => [press(i), press(i)]));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 6, 'one answer per job');
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { key?: string }).key, 'arrears.errors.answered');
    assert.deepEqual(await record(emp.id), { onTime: 3, late: 1, unpaid: 2, openCases: 2 });
    assert.equal(await ArrearsCase.countDocuments({ employer: emp.id, state: 'open' }), 2);
    assert.equal(await rebuildPayRecords(), 0, 'the live record is what a recount gives');
  });

  it('the staff home links to the cases', async () => {
    const staff = await loggedIn('13800000001');
    assert.match((await staff.get('/staff')).text, /href="\/staff\/arrears"/);
    assert.equal(inDays(0) < inDays(1), true);
  });
});
