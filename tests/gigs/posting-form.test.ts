import assert from 'node:assert/strict';
import { loggedIn } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Posting } from '../../models/posting.ts';
import { payProblem } from '../../server/gigs/schemas.ts';
import { postingFields, sendPostingForm, refusedForm, inDays } from './helpers.ts';

describe('gigs: the posting form says everything wrong at once, in words that fit', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
  });

  it('a negative wage does not hide the end-before-start error', async () => {
    const emp = await loggedIn('13800000002');
    const before = await Posting.countDocuments();
    const page = await refusedForm(
      emp,
      await sendPostingForm(
        emp,
        '/employer/postings',
        postingFields(ctx.centers.miaoxi!, { title: '全部错误', pay: '-5', startDay: inDays(5), endDay: inDays(2), headcount: '0' }),
      ),
    );
    assert.match(page.text, /不能是 0 或负数/);
    assert.match(page.text, /结束日期不能早于开始日期/);
    assert.match(page.text, /value="全部错误"/);
    assert.match(page.text, /value="-5"/);
    assert.equal(await Posting.countDocuments(), before);
  });

  it('distinct messages for too small, too large and too many decimals, in both languages', async () => {
    const emp = await loggedIn('13800000002');
    const cases: [string, RegExp, RegExp][] = [
      ['0', /不能是 0 或负数/, /cannot be 0 or negative/],
      ['99999999', /不能超过 10 万元/, /cannot be more than ¥100,000/],
      ['150.555', /最多填到分/, /at most two decimal places/],
      ['abc', /请填写工钱金额/, /./],
    ];
    for (const [pay, zh, en] of cases) {
      const page = await refusedForm(emp, await sendPostingForm(emp, '/employer/postings', postingFields(ctx.centers.miaoxi!, { pay })));
      assert.match(page.text, zh, pay);
      await emp.get('/employer/postings?lang=en');
      const enPage = await refusedForm(emp, await sendPostingForm(emp, '/employer/postings', postingFields(ctx.centers.miaoxi!, { pay })));
      assert.match(enPage.text, en, `${pay} (en)`);
      await emp.get('/employer/postings?lang=zh-CN');
    }
    assert.equal(payProblem('150.55'), null);
    assert.equal(payProblem('¥150'), null);
    assert.equal(payProblem('100000'), null);
    assert.equal(payProblem('100000.01'), 'gigs.errors.payTooLarge');
  });

  it('the CSRF token never reaches the address bar or a link on the page', async () => {
    const emp = await loggedIn('13800000002');
    const res = await sendPostingForm(emp, '/employer/postings', postingFields(ctx.centers.miaoxi!, { pay: '0' }));
    assert.equal(res.status, 303);
    assert.doesNotMatch(res.headers.location!, /_csrf/);
    const page = await emp.get(res.headers.location!);
    // Only the form's own action may carry it; the language and large-text links must not.
    const links = [...page.text.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    assert.deepEqual(
      links.filter((h) => h.includes('_csrf')),
      [],
    );
    // A page opened with a token in its address (an old bookmark) does not pass it on either.
    const old = await emp.get('/employer/postings?_csrf=abc');
    assert.deepEqual(
      [...old.text.matchAll(/href="([^"]*_csrf[^"]*)"/g)].map((m) => m[1]),
      [],
    );
    // The form is shown once: a reload gives a fresh form.
    const again = await emp.get('/employer/postings/new');
    assert.doesNotMatch(again.text, /不能是 0 或负数/);
  });
});
