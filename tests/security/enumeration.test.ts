import assert from 'node:assert/strict';
import { csrfFrom, loggedIn } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { publishedPosting } from '../gigs/helpers.ts';
import { Employer } from '../../models/employer.ts';
import type { SeedContext } from '../../server/seed/index.ts';

// Issue 14, finding 9: staff lookups answer an out-of-scope resident exactly like an unknown
// number (registration is covered in tests/foundation/accounts.test.ts).
describe('security: account enumeration by staff lookups (issue 14 #9)', function () {
  this.timeout(60_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  const UNKNOWN = '13977776666';

  it('GET /staff/residents?phone= answers the same for unknown and out-of-scope residents', async () => {
    const miaoxiResident = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '范围外居民' });
    const far = await loggedIn('13800000005');
    const out = await far.get(`/staff/residents?phone=${miaoxiResident.phone}`);
    const unknown = await far.get(`/staff/residents?phone=${UNKNOWN}`);
    assert.equal(out.status, unknown.status);
    assert.equal(out.status, 404);
    assert.equal(out.text.replaceAll(miaoxiResident.phone, 'N'), unknown.text.replaceAll(UNKNOWN, 'N'));
    assert.equal((await far.get(`/staff/residents/${miaoxiResident.id}`)).status, 404);
  });

  it('apply-for answers the same for unknown and out-of-scope numbers', async () => {
    const miaoxiResident = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '范围外居民二' });
    const far = await loggedIn('13800000005');
    const employer = (await Employer.findOne({}).lean())!;
    const posting = await publishedPosting(String(employer.user), ctx.centers.xunqiao!);
    const token = csrfFrom((await far.get('/profile')).text);
    const send = (phone: string) =>
      far.post(`/staff/postings/${posting}/apply-for`).type('form').send({ phone, message: '', availability: '', consent: 'on', _csrf: token });
    const [a, b] = [await send(miaoxiResident.phone), await send(UNKNOWN)];
    assert.equal(a.status, b.status);
    const norm = (html: string, phone: string) => html.replace(new RegExp(phone, 'g'), 'N').replace(/name="_csrf" value="[^"]+"/g, '');
    assert.equal(norm(a.text, miaoxiResident.phone), norm(b.text, UNKNOWN));
    assert.doesNotMatch(a.text, /范围外居民二/);
  });
});
