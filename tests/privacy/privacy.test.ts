import assert from 'node:assert/strict';
import { agent, csrfFrom, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser, uniquePhone } from '../helpers/data.ts';
import { User } from '../../models/user.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { PayPeriod } from '../../models/pay-period.ts';
import { Membership } from '../../models/membership.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { Notification } from '../../models/notification.ts';
import { Employer } from '../../models/employer.ts';
import { Posting } from '../../models/posting.ts';
import { DeletionRequest, deletionRequestId } from '../../models/deletion-request.ts';
import { runDueDeletions } from '../../server/privacy/deletion.ts';
import type { SeedContext } from '../../server/seed/index.ts';

const DAY = 24 * 3600 * 1000;
const later = () => new Date(Date.now() + 16 * DAY);

describe('privacy: consent, own data, deletion', function () {
  this.timeout(120_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  describe('consent', () => {
    const form = () => ({
      role: 'resident',
      name: '没同意的人',
      phone: uniquePhone(),
      email: '',
      password: 'lantern-2026',
      passwordConfirm: 'lantern-2026',
      homeCenter: ctx.centers.miaoxi!,
    });

    it('refuses registration without consent, gives the form back as typed, creates no account', async () => {
      const f = form();
      const res = await submit(agent(), '/register', '/register', f);
      assert.equal(res.status, 400);
      assert.match(res.text, /请先阅读个人信息说明/);
      assert.match(res.text, /value="没同意的人"/);
      assert.match(res.text, new RegExp(`value="${f.phone}"`));
      assert.equal(await User.exists({ phone: f.phone }), null);
      assert.match(res.text, /href="\/privacy"/);
    });

    it('records when consent was given', async () => {
      const f = { ...form(), privacyConsent: 'on' };
      const res = await submit(agent(), '/register', '/register', f);
      assert.equal(res.status, 302);
      const u = await User.findOne({ phone: f.phone }).lean();
      assert.ok(u?.privacyConsentAt instanceof Date);
    });

    it('records low-income status only with its separate consent, and withdrawing clears it', async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '低收入测试' });
      const staff = await loggedIn('13800000001');
      const refused = await submit(staff, `/staff/residents/${r.id}`, `/staff/residents/${r.id}`, { lowIncome: 'on' });
      assert.equal(refused.status, 400);
      assert.match(refused.text, /单独同意/);
      assert.equal((await User.findById(r.id).lean())!.lowIncome, false);

      const ok = await submit(staff, `/staff/residents/${r.id}`, `/staff/residents/${r.id}`, { lowIncome: 'on', lowIncomeConsent: 'on' });
      assert.equal(ok.status, 302);
      let u = (await User.findById(r.id).lean())!;
      assert.equal(u.lowIncome, true);
      assert.ok(u.lowIncomeConsentAt);

      const me = await loggedIn(r.phone);
      const page = await me.get('/me/privacy');
      assert.match(page.text, /工作人员记录了：您家是低收入农户/);
      const withdrawn = await submit(me, '/me/privacy', '/me/privacy/low-income', { consent: 'withdraw' });
      assert.equal(withdrawn.status, 302);
      u = (await User.findById(r.id).lean())!;
      assert.equal(u.lowIncome, false);
      assert.equal(u.lowIncomeConsentAt, null);
    });

    it('asks staff to record the resident’s consent before a walk-in creates an account', async () => {
      const { Course } = await import('../../models/course.ts');
      const course = await Course.findOne({ status: 'published', center: ctx.centers.miaoxi }).lean();
      assert.ok(course, 'a published Miaoxi course in the demo');
      const staff = await loggedIn('13800000001');
      const phone = uniquePhone();
      const page = `/staff/courses/${String(course._id)}`;
      const refused = await submit(staff, page, `${page}/walk-in`, { phone, name: '走进来的人', birthYear: '1970' });
      assert.equal(refused.status, 400);
      assert.match(refused.text, /个人信息说明读给居民听/);
      assert.equal(await User.exists({ phone }), null);
    });
  });

  describe('staff views of sensitive fields', () => {
    it('audits each opening of a resident page, in words', async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '被查看的人' });
      const staff = await loggedIn('13800000001');
      assert.equal(await AuditEntry.countDocuments({ action: 'privacy.sensitiveView', targetId: r.id }), 0);
      assert.equal((await staff.get(`/staff/residents/${r.id}`)).status, 200);
      const e = await AuditEntry.findOne({ action: 'privacy.sensitiveView', targetId: r.id }).lean();
      assert.ok(e);
      assert.equal(String(e.actor), ctx.users.miaoxiStaff);
      const admin = await loggedIn('13800000000');
      const log = await admin.get(`/admin/audit?kind=privacy`);
      assert.match(log.text, /查看了居民/);
    });
  });

  describe('my data', () => {
    it('downloads everything about the person as readable JSON, and nothing about anyone else', async () => {
      const me = await loggedIn('13800000003');
      await Notification.create({ user: ctx.users.resident, type: 'workshopPaid', params: { month: '2026-10' } });
      await Notification.create({ user: ctx.users.lowIncome, type: 'workshopPaid', params: { month: '1999-01' } });
      const res = await me.get('/me/data.json');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-disposition']), /^attachment; filename="doorstep-my-data-/);
      assert.match(String(res.headers['content-type']), /application\/json/);
      const text = res.text;
      assert.match(text, /\n {2}"/, 'pretty-printed');
      const doc = JSON.parse(text) as Record<string, { 记录: Record<string, unknown>[] }>;
      assert.equal(doc.账户!.记录[0]!.手机号, '13800000003');
      for (const section of ['工坊记件', '加入的工坊', '工资结算', '通知消息']) assert.ok(doc[section]!.记录.length > 0, `${section} has records`);
      const ledger = await LedgerEntry.find({ worker: ctx.users.resident }).sort({ date: 1 }).lean();
      assert.equal(doc.工坊记件!.记录.length, ledger.length);
      const yuan = doc.工坊记件!.记录.reduce((sum, r) => sum + Math.round(Number(r['金额（元）']) * 100), 0);
      assert.equal(
        yuan,
        ledger.reduce((sum, e) => sum + e.amountFen, 0),
        'money in yuan, every entry',
      );
      assert.ok(!text.includes('13800000004'), 'no other resident’s phone');
      assert.ok(!text.includes('金美女'), 'no other resident’s name');
      assert.ok(!text.includes('1999-01'), 'no other resident’s messages');

      const en = await me.get('/me/data.json?lang=en');
      assert.ok(JSON.parse(en.text).Account.Records[0].Phone);
      const html = await me.get('/me/data?lang=zh-CN');
      assert.equal(html.status, 200);
      assert.match(html.text, /工坊记件/);
      assert.match(html.text, /href="\/me\/data.json"/);
    });
  });

  describe('deletion', () => {
    it('is asked for on a confirmation page, can be cancelled, and staff of the center see it with its date', async () => {
      const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '想注销的人' });
      const me = await loggedIn(r.phone);
      const confirm = await me.get('/me/privacy/delete');
      assert.match(confirm.text, /class="button danger"/);
      const unticked = await me
        .post('/me/privacy/delete')
        .type('form')
        .send({ _csrf: csrfFrom(confirm.text) });
      assert.equal(unticked.status, 400);
      assert.equal(await DeletionRequest.exists({ _id: deletionRequestId(r.id) }), null);

      const asked = await submit(me, '/me/privacy/delete', '/me/privacy/delete', { understand: 'on' });
      assert.equal(asked.status, 302);
      const d = (await DeletionRequest.findById(deletionRequestId(r.id)).lean())!;
      assert.equal(d.status, 'pending');
      assert.ok(Math.abs(d.dueAt.getTime() - Date.now() - 15 * DAY) < 60_000);

      const staff = await loggedIn('13800000001');
      const list = await staff.get('/staff/privacy/deletions');
      assert.match(list.text, /想注销的人/);
      const other = await loggedIn('13800000005');
      assert.doesNotMatch((await other.get('/staff/privacy/deletions')).text, /想注销的人/);

      const cancelled = await submit(me, '/me/privacy', '/me/privacy/delete/cancel', {});
      assert.equal(cancelled.status, 302);
      assert.equal((await DeletionRequest.findById(deletionRequestId(r.id)).lean())!.status, 'cancelled');
      assert.doesNotMatch((await staff.get('/staff/privacy/deletions')).text, /想注销的人/);
      await runDueDeletions(later());
      assert.equal((await User.findById(r.id).lean())!.name, '想注销的人', 'a cancelled request is never carried out');
    });

    it('when due, erases personal fields, keeps the books with the name replaced, ends sessions and logins', async () => {
      const id = ctx.users.resident!;
      const before = await LedgerEntry.find({ worker: id }, { amountFen: 1, accepted: 1 }).sort({ _id: 1 }).lean();
      assert.ok(before.length > 0);
      // A desk correction quotes the name in the audit log.
      const staff = await loggedIn('13800000001');
      await submit(staff, `/staff/residents/${id}`, `/staff/residents/${id}/details`, { name: '金士媖', birthYear: '1961' });
      assert.ok(await AuditEntry.exists({ targetId: id, action: 'resident.edit' }));
      const me = await loggedIn('13800000003');
      await submit(me, '/me/privacy/delete', '/me/privacy/delete', { understand: 'on' });
      await runDueDeletions(new Date());
      assert.equal((await User.findById(id).lean())!.name, '金士媖', 'nothing happens before the due date');

      await runDueDeletions(later());
      const u = (await User.findById(id).lean())!;
      assert.match(u.name, /^已注销居民 #[0-9A-F]{6}$/);
      assert.notEqual(u.phone, '13800000003');
      assert.equal(u.birthYear, null);
      assert.equal(u.lowIncome, false);
      assert.equal(u.disabled, true);
      const after = await LedgerEntry.find({ worker: id }).sort({ _id: 1 }).lean();
      assert.deepEqual(
        after.map((e) => [e.amountFen, e.accepted]),
        before.map((e) => [e.amountFen, e.accepted]),
        'the books keep every amount',
      );
      assert.ok(after.every((e) => e.workerName === u.name && e.note === ''));
      const periods = await PayPeriod.find({ 'statements.worker': id }).lean();
      assert.ok(periods.length > 0);
      for (const p of periods) for (const s of p.statements.filter((x) => String(x.worker) === id)) assert.deepEqual([s.name, s.phone], [u.name, '']);
      assert.ok((await Membership.find({ resident: id }).lean()).every((m) => m.residentName === u.name && m.residentPhone === ''));
      assert.equal(await Notification.countDocuments({ user: id }), 0);
      const boards = await WorkSummary.find({ kind: { $in: ['sd', 'sm'] } }).lean();
      const named = boards.filter((b) => (b.workers as Record<string, { name: string }>)[id]);
      assert.ok(named.length > 0);
      assert.ok(
        named.every((b) => (b.workers as Record<string, { name: string }>)[id]!.name === u.name),
        'the board names no one',
      );
      const audits = await AuditEntry.find({ targetId: id }).lean();
      assert.ok(!JSON.stringify(audits).includes('金士媖'), 'the audit log no longer quotes the name');
      assert.equal((await DeletionRequest.findById(deletionRequestId(id)).lean())!.status, 'done');

      const gone = await me.get('/me');
      assert.equal(gone.status, 302, 'the session has ended');
      const again = await submit(agent(), '/login', '/login', { phone: '13800000003', password: 'doorstep-demo' });
      assert.equal(again.status, 401);
      // Idempotent: another run changes nothing and fails on nothing.
      await runDueDeletions(later());
      assert.equal((await User.findById(id).lean())!.name, u.name);
    });

    it('finishes a deletion that stopped half-way, and anonymises an employer’s postings', async () => {
      const e = await makeUser({ role: 'employer', center: ctx.centers.miaoxi!, name: '注销的老板' });
      await Employer.create({
        user: e.id,
        name: '注销公司',
        contactName: '注销的老板',
        phone: e.phone,
        address: '庙西村',
        creditCode: '91331082MA2ABCDE1X',
        center: ctx.centers.miaoxi,
        status: 'verified',
      });
      const p = await Posting.create({
        employer: e.id,
        employerName: '注销公司',
        title: '摘橘子',
        description: '摘橘子',
        category: 'farm',
        payType: 'day',
        payFen: 15000,
        headcount: 2,
        startDay: '2030-01-01',
        endDay: '2030-01-02',
        center: ctx.centers.miaoxi,
        status: 'published',
        code: `T${Date.now() % 100000}`,
        contact: e.phone,
      });
      const me = await loggedIn(e.phone);
      await submit(me, '/me/privacy/delete', '/me/privacy/delete', { understand: 'on' });
      // As a crash would leave it: running, a few steps done.
      await DeletionRequest.updateOne({ _id: deletionRequestId(e.id) }, { $set: { status: 'running', done: ['lock', 'Application'] } });
      await runDueDeletions(later());
      const posting = (await Posting.findById(p._id).lean())!;
      assert.equal(posting.status, 'closed');
      assert.match(posting.employerName, /^已注销雇主 #/);
      assert.equal(posting.contact, '');
      const profile = (await Employer.findOne({ user: e.id }).lean())!;
      assert.equal(profile.phone, '');
      assert.match(profile.contactName, /^已注销雇主/);
      assert.equal((await User.findById(e.id).lean())!.disabled, true);
      assert.equal((await DeletionRequest.findById(deletionRequestId(e.id)).lean())!.status, 'done');
    });
  });
});
