import assert from 'node:assert/strict';
import { agent, submit } from '../helpers/app.ts';
import { freshDemo, makeUser, uniquePhone } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { publishedPosting } from '../gigs/helpers.ts';

describe('registering brings you back to the page you came from', () => {
  let ctx: SeedContext;
  let gig: string;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
    const emp = await makeUser({ role: 'employer', center: ctx.centers.miaoxi! });
    gig = await publishedPosting(emp.id, ctx.centers.miaoxi!);
  });
  const form = (over: Record<string, string> = {}) => ({
    role: 'resident',
    name: '回来的人',
    phone: uniquePhone(),
    email: '',
    password: 'lantern-2026',
    passwordConfirm: 'lantern-2026',
    homeCenter: ctx.centers.miaoxi!,
    privacyConsent: 'on',
    ...over,
  });

  it('from a job page: register → back on the job, even after a refused first try', async () => {
    const ag = agent();
    const job = await ag.get(`/gigs/${gig}`);
    const link = /href="(\/register\?returnTo=[^"]+)"/.exec(job.text);
    assert.ok(link, 'the job page offers registration that returns');
    const page = await ag.get(link[1]!.replace(/&amp;/g, '&'));
    assert.match(page.text, new RegExp(`name="returnTo" value="/gigs/${gig}"`));
    const refused = await submit(ag, link[1]!, '/register', form({ passwordConfirm: 'different', returnTo: `/gigs/${gig}` }));
    assert.equal(refused.status, 400);
    assert.match(refused.text, new RegExp(`name="returnTo" value="/gigs/${gig}"`), 'kept through an error');
    const details = form({ returnTo: `/gigs/${gig}` });
    const ok = await submit(ag, link[1]!, '/register', details);
    // Sign-up does not log in (it must not reveal whether a number was taken, issue 14 #9): the
    // login page that follows carries the way back, and logging in lands on the job.
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.location, `/login?returnTo=${encodeURIComponent(`/gigs/${gig}`)}`);
    const login = await ag.get(ok.headers.location!);
    assert.match(login.text, new RegExp(`name="returnTo" value="/gigs/${gig}"`));
    const back = await submit(ag, ok.headers.location!, '/login', { phone: details.phone!, password: details.password!, returnTo: `/gigs/${gig}` });
    assert.equal(back.status, 302);
    assert.equal(back.headers.location, `/gigs/${gig}`);
  });

  it('the login page passes its returnTo on to registration', async () => {
    const res = await agent().get(`/login?returnTo=${encodeURIComponent(`/gigs/${gig}`)}`);
    assert.ok(res.text.replace(/&#x3D;/g, '=').includes(`/register?returnTo=${encodeURIComponent(`/gigs/${gig}`)}`));
  });

  it('an unsafe returnTo is ignored', async () => {
    for (const bad of ['//evil.example/x', 'https://evil.example/', '/\\evil']) {
      const res = await submit(agent(), '/register', '/register', form({ returnTo: bad }));
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, '/login', bad);
    }
  });
});
