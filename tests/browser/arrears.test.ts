// The wage-arrears guard in a real browser: a hired worker answers "not paid" after the job,
// staff of the center find the case from their home page, note and settle it; then the pages
// it added at phone and desktop width in both languages (no sideways scrolling at 390 px, no
// serious accessibility violations, no raw keys), with screenshots.
import assert from 'node:assert/strict';
import { withBrowser, browserLogin, artifactPath, walkPages } from '../helpers/browser.ts';
import { Employer } from '../../models/employer.ts';
import { ArrearsCase } from '../../models/arrears-case.ts';
import { hiredJob } from '../arrears/helpers.ts';

describe('browser: unpaid wages', function () {
  this.timeout(300_000);
  const env = withBrowser();
  let employerName = '';
  let caseId = '';

  it('worker says "not paid"; staff see the case from their home page, note it and settle it', async () => {
    const m = env.ctx.centers.miaoxi!;
    employerName = (await Employer.findOne({ user: env.ctx.users.employer }).lean())!.name;
    const job = await hiredJob({ id: env.ctx.users.employer!, name: employerName }, m, { title: '收稻谷三天' });
    caseId = `${job.postingId}:${job.worker.id}`;

    const workerCtx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const worker = await workerCtx.newPage();
    await browserLogin(worker, env.site.url, job.worker.phone);
    await worker.goto(`${env.site.url}/me/applications`);
    const question = worker.locator(`#pay-${job.appId}`);
    assert.match(await question.innerText(), /工钱发了吗/);
    await Promise.all([worker.waitForURL(/\/me\/applications/), question.locator('button[value=unpaid]').click()]);
    assert.match(await worker.innerText('main'), /已经告诉服务中心了/);
    assert.match(await worker.locator(`#pay-${job.appId}`).innerText(), /没发[\s\S]*服务中心正在帮您处理/);
    await worker.screenshot({ path: artifactPath('arrears-worker-answered-390-zh-CN.png'), fullPage: true });
    await workerCtx.close();

    const staffCtx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const staff = await staffCtx.newPage();
    await browserLogin(staff, env.site.url, '13800000001');
    await staff.goto(`${env.site.url}/staff`);
    await Promise.all([staff.waitForURL(/\/staff\/arrears$/), staff.click('a[href="/staff/arrears"]')]);
    const card = staff.locator(`[data-case="${caseId}"]`);
    assert.match(await card.innerText(), /收稻谷三天[\s\S]*没发|收稻谷三天/);
    await Promise.all([staff.waitForURL((u) => u.pathname === `/staff/arrears/${caseId}`), card.locator('a.button').click()]);
    await staff.fill('form[action$="/notes"] textarea[name=text]', '已电话联系老板，说周五前补发');
    await Promise.all([staff.waitForLoadState('load'), staff.click('form[action$="/notes"] button[type=submit]')]);
    assert.match(await staff.innerText('main'), /说周五前补发/);
    // Settling without saying what happened comes back with the reason and the choice kept.
    await staff.selectOption('select[name=resolution]', 'paid');
    await staff.click('form[action$="/resolve"] button[type=submit]');
    assert.match(await staff.innerText('form[action$="/resolve"]'), /出错了|错误|请/);
    assert.equal(await staff.inputValue('select[name=resolution]'), 'paid');
    await staff.fill('form[action$="/resolve"] textarea[name=text]', '老板周五当面补发 450 元，工人确认收到');
    await Promise.all([staff.waitForURL(/\/staff\/arrears$/), staff.click('form[action$="/resolve"] button[type=submit]')]);
    assert.match(await staff.innerText('main'), /欠薪事项已处理完/);
    assert.match(await staff.locator('[data-arrears-list=resolved]').innerText(), /收稻谷三天[\s\S]*工钱已补发/);
    await staff.screenshot({ path: artifactPath('arrears-staff-settled-390-zh-CN.png'), fullPage: true });
    await staffCtx.close();
    const c = await ArrearsCase.findById(caseId).lean();
    assert.equal(c!.state, 'resolved');
    assert.equal(c!.resolution, 'paid');
  });

  it('shows its pages cleanly at 390 px and 1280 px in both languages', async () => {
    const m = env.ctx.centers.miaoxi!;
    // A worker with one job to answer and an employer with an open case.
    const open = await hiredJob({ id: env.ctx.users.employer!, name: employerName }, m, { title: '摘杨梅两天' });
    const due = await hiredJob({ id: env.ctx.users.employer!, name: employerName }, m, { title: '灯笼厂装箱', worker: open.worker });
    const { answerPay } = await import('../../server/arrears/answers.ts');
    await answerPay({ id: open.worker.id, name: open.worker.name, role: 'resident' } as Express.User, open.worker.id, open.appId, 'unpaid');
    const openCase = `${open.postingId}:${open.worker.id}`;
    const profile = (await Employer.findOne({ user: env.ctx.users.employer }).lean())!;
    const pages: ['anonymous' | 'staff' | 'employer' | 'worker', string, string][] = [
      ['worker', 'my-applications', '/me/applications'],
      ['staff', 'cases', '/staff/arrears'],
      ['staff', 'case', `/staff/arrears/${openCase}`],
      ['staff', 'case-settled', `/staff/arrears/${caseId}`],
      ['staff', 'desk', `/staff/residents/${open.worker.id}`],
      ['employer', 'postings', '/employer/postings'],
      ['anonymous', 'employer-profile', `/gigs/employers/${String(profile._id)}`],
    ];
    const phones = { staff: '13800000001', employer: '13800000002', worker: open.worker.phone };
    assert.ok(due.appId);
    const problems = await walkPages(env, { pages, phones, areas: ['arrears', 'gigs', 'notifications'], shot: 'arrears' });
    assert.deepEqual(problems, []);
  });
});
