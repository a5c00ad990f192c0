// Permanent actions ask once more, without JavaScript: the first post renders a confirmation page
// and changes nothing; the page's own form (confirm=yes) does it. A closed posting can be reopened.
import assert from 'node:assert/strict';
import { agent, csrfFrom, loggedIn, submit, type Agent } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Posting } from '../../models/posting.ts';
import { Application } from '../../models/application.ts';
import { Course } from '../../models/course.ts';
import { publishedPosting, inDays } from '../gigs/helpers.ts';
import { makeCourse } from '../courses/fixtures.ts';

/** Posts the confirmation page's own form back, as a browser would after "Yes". */
async function confirmPage(ag: Agent, res: { status: number; text: string }) {
  assert.equal(res.status, 200);
  assert.match(res.text, /data-confirm="/);
  const action = /<form method="post" action="([^"]+)" class="actions">/.exec(res.text)?.[1];
  assert.ok(action, 'the confirmation page has a form');
  const hidden = Object.fromEntries([...res.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
  assert.equal(hidden.confirm, 'yes');
  return ag
    .post(action.replace(/&amp;/g, '&'))
    .type('form')
    .send({ ...hidden, _csrf: csrfFrom(res.text) });
}

describe('confirmation before permanent actions', () => {
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('withdrawing an application: first a question, then the withdrawal', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '确认撤回测试' });
    const res = await loggedIn('13800000003');
    await submit(res, `/gigs/${id}`, `/gigs/${id}/apply`, {});
    const app = (await Application.findOne({ posting: id, resident: ctx.users.resident }).lean())!;
    const ask = await submit(res, '/me/applications', `/me/applications/${String(app._id)}/withdraw`, {});
    assert.match(ask.text, /确定要撤回这个报名吗/);
    assert.match(ask.text, /href="\/"|href="\/me\/applications"/);
    assert.equal((await Application.findById(app._id).lean())!.status, 'pending', 'nothing changes before the answer');
    const done = await confirmPage(res, ask);
    assert.equal(done.status, 302);
    assert.equal((await Application.findById(app._id).lean())!.status, 'withdrawn');
  });

  it('turning an applicant down asks first (in English too)', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: 'reject confirm' });
    const res = await loggedIn('13800000004');
    await submit(res, `/gigs/${id}`, `/gigs/${id}/apply`, {});
    const app = (await Application.findOne({ posting: id }).lean())!;
    const emp = await loggedIn('13800000002');
    const ask = await submit(emp, `/employer/postings/${id}?lang=en`, `/employer/applications/${String(app._id)}/reject`, {});
    assert.match(ask.text, /Turn this applicant down\?/);
    assert.equal((await Application.findById(app._id).lean())!.status, 'pending');
    assert.equal((await confirmPage(emp, ask)).status, 302);
    assert.equal((await Application.findById(app._id).lean())!.status, 'rejected');
  });

  it('closing a posting asks first and can be undone while its dates last; not after', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '关闭再开放' });
    const emp = await loggedIn('13800000002');
    const ask = await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/close`, {});
    assert.match(ask.text, /确定要关闭这条招工吗/);
    assert.equal((await Posting.findById(id).lean())!.status, 'published');
    assert.equal((await confirmPage(emp, ask)).status, 302);
    assert.equal((await Posting.findById(id).lean())!.status, 'closed');

    const page = await emp.get(`/employer/postings/${id}`);
    assert.match(page.text, new RegExp(`action="/employer/postings/${id}/reopen"`));
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/reopen`, {})).status, 302);
    assert.equal((await Posting.findById(id).lean())!.status, 'published');
    assert.match((await agent().get('/gigs')).text, /关闭再开放/, 'back in the public list');
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/reopen`, {})).status, 409, 'only a closed posting reopens');

    // A posting closed as a draft comes back as a draft (it was never approved).
    const draft = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { status: 'closed', closedFrom: 'draft' });
    assert.equal((await submit(emp, `/employer/postings/${draft}`, `/employer/postings/${draft}/reopen`, {})).status, 302);
    assert.equal((await Posting.findById(draft).lean())!.status, 'draft');

    // Past its end date it stays closed, and the page offers no reopen.
    const old = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, {
      status: 'closed',
      closedFrom: 'published',
      startDay: inDays(-5),
      endDay: inDays(-1),
    });
    assert.doesNotMatch((await emp.get(`/employer/postings/${old}`)).text, /\/reopen"/);
    assert.equal((await submit(emp, `/employer/postings/${old}`, `/employer/postings/${old}/reopen`, {})).status, 409);
    // Someone else's posting cannot be reopened.
    const other = await loggedIn('13800000012');
    assert.equal((await submit(other, '/employer/postings', `/employer/postings/${id}/reopen`, {})).status, 404);
  });

  it('cancelling a course asks first; the course stays published until the answer', async () => {
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, capacity: 5 });
    // Staff of another town are refused outright, not asked.
    const xunqiao = await loggedIn('13800000005');
    assert.equal((await submit(xunqiao, '/staff/courses', `/staff/courses/${courseId}/cancel`, {})).status, 403);
    const staff = await loggedIn('13800000001');
    const manage = await staff.get(`/staff/courses/${courseId}`);
    assert.match(manage.text, /button danger/);
    const ask = await submit(staff, `/staff/courses/${courseId}`, `/staff/courses/${courseId}/cancel`, {});
    assert.match(ask.text, /确定要取消这门课程吗/);
    assert.equal((await Course.findById(courseId).lean())!.status, 'published');
    assert.equal((await confirmPage(staff, ask)).status, 302);
    assert.equal((await Course.findById(courseId).lean())!.status, 'cancelled');
  });
});
