import assert from 'node:assert/strict';
import { agent } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { Posting } from '../../models/posting.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { publishedPosting, inDays } from './helpers.ts';

/** Posting ids on a list page, in order. */
const idsOn = (html: string) => [...html.matchAll(/class="card gig-card" data-posting-id="([a-f\d]{24})"/g)].map((m) => m[1]!);

describe('gigs: public search', () => {
  let ctx: SeedContext;
  const ids: Record<string, string> = {};
  before(async () => {
    ctx = await freshDemo();
    await Posting.deleteMany({}); // only this test's postings
    const e = ctx.users.employer!;
    ids.tea = await publishedPosting(e, ctx.centers['youxi-village']!, {
      title: '春茶采摘',
      category: 'agriculture',
      payType: 'piece',
      payFen: 4000,
      startDay: inDays(2),
      employerName: '云雾茶合作社',
      suitability: ['older'],
      publishedAt: new Date(Date.now() - 5000),
    });
    ids.lantern = await publishedPosting(e, ctx.centers.miaoxi!, {
      title: '灯笼组装',
      description: '穿骨架（简单）',
      category: 'handicraft',
      payType: 'piece',
      payFen: 350,
      startDay: inDays(1),
      employerName: '庙西彩灯',
      publishedAt: new Date(Date.now() - 4000),
    });
    ids.warehouse = await publishedPosting(e, ctx.centers['dayang-community']!, {
      title: '仓库装卸',
      category: 'logistics',
      payType: 'day',
      payFen: 22000,
      startDay: inDays(20),
      endDay: inDays(40),
      employerName: '顺达物流',
      publishedAt: new Date(Date.now() - 3000),
    });
    ids.kitchen = await publishedPosting(e, ctx.centers.dongcheng!, {
      title: '厨房帮工',
      category: 'catering',
      payType: 'hour',
      payFen: 2500,
      startDay: inDays(5),
      employerName: '农家乐',
      publishedAt: new Date(Date.now() - 2000),
    });
    ids.expired = await publishedPosting(e, ctx.centers.miaoxi!, { title: '过期的灯笼活', startDay: inDays(-10), endDay: inDays(-1) });
    ids.draft = await publishedPosting(e, ctx.centers.miaoxi!, { title: '草稿灯笼活', status: 'draft' });
  });

  it('lists only published, unexpired postings, newest first', async () => {
    const res = await agent().get('/gigs');
    assert.equal(res.status, 200);
    assert.deepEqual(idsOn(res.text), [ids.kitchen, ids.warehouse, ids.lantern, ids.tea]);
  });

  it('finds Chinese keywords in title, description and employer name, regex-escaped', async () => {
    assert.deepEqual(idsOn((await agent().get(`/gigs?q=${encodeURIComponent('灯笼')}`)).text), [ids.lantern]);
    assert.deepEqual(idsOn((await agent().get(`/gigs?q=${encodeURIComponent('骨架')}`)).text), [ids.lantern]);
    assert.deepEqual(idsOn((await agent().get(`/gigs?q=${encodeURIComponent('云雾茶')}`)).text), [ids.tea]);
    const paren = await agent().get(`/gigs?q=${encodeURIComponent('（简单')}`);
    assert.deepEqual(idsOn(paren.text), [ids.lantern]);
    for (const q of ['(', '.*', '[a-', '\\']) {
      const r = await agent().get(`/gigs?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200, q);
      assert.deepEqual(idsOn(r.text), [], `"${q}" is literal`);
    }
    const code = (await Posting.findById(ids.tea).lean())!.code;
    const byCode = await agent().get(`/gigs?q=${code}`);
    assert.equal(byCode.status, 302);
    assert.equal(byCode.headers.location, `/gigs/${ids.tea}`);
  });

  it('filters by center (with the centers below), category, pay type, minimum pay, start window and tag', async () => {
    const get = async (qs: string) => idsOn((await agent().get(`/gigs?${qs}`)).text).sort();
    assert.deepEqual(await get(`center=${ctx.centers.dongcheng}`), [ids.lantern, ids.kitchen].sort());
    assert.deepEqual(await get(`center=${ctx.centers.miaoxi}`), [ids.lantern]);
    assert.deepEqual(await get(`center=${ctx.centers.linhai}`), Object.values({ a: ids.tea, b: ids.lantern, c: ids.warehouse, d: ids.kitchen }).sort());
    assert.deepEqual(await get('category=agriculture'), [ids.tea]);
    assert.deepEqual(await get('payType=piece'), [ids.tea, ids.lantern].sort());
    // Minimum pay is in the chosen unit...
    assert.deepEqual(await get('payType=piece&minPay=40'), [ids.tea]);
    assert.deepEqual(await get('payType=piece&minPay=40.01'), []);
    assert.deepEqual(await get('payType=hour&minPay=25'), [ids.kitchen]);
    // ...and without one it is a day's pay, hourly pay over 8 hours: a minimum of 100 keeps the
    // ¥25-an-hour job (¥200 a day); piece work cannot be compared and is left out.
    assert.deepEqual(await get('minPay=100'), [ids.kitchen, ids.warehouse].sort());
    assert.deepEqual(await get('minPay=200.01'), [ids.warehouse]);
    assert.match((await agent().get('/gigs?minPay=100')).text, /data-pay-note/);
    assert.deepEqual(await get('within=3'), [ids.tea, ids.lantern].sort());
    assert.deepEqual(await get('tag=older'), [ids.tea]);
    assert.deepEqual(await get(`category=handicraft&center=${ctx.centers.miaoxi}&payType=piece`), [ids.lantern]);
    // Nonsense filters are ignored, never a 500.
    const bad = await agent().get('/gigs?center=xyz&category=$ne&payType=1&minPay=abc&within=-5&page=0&sort=evil&q[$ne]=1');
    assert.equal(bad.status, 200);
    assert.equal(idsOn(bad.text).length, 4);
  });

  it('sorts by newest, highest pay and soonest start', async () => {
    // Highest pay never ranks ¥40 a piece above ¥25 an hour: daily and hourly compare per day
    // (¥220 > ¥25 × 8), then piece work, each unit among its own; and the page says so.
    const byPay = await agent().get('/gigs?sort=pay');
    assert.deepEqual(idsOn(byPay.text), [ids.warehouse, ids.kitchen, ids.tea, ids.lantern]);
    assert.match(byPay.text, /按 8 小时折成一天/);
    const pieces = await agent().get('/gigs?sort=pay&payType=piece');
    assert.deepEqual(idsOn(pieces.text), [ids.tea, ids.lantern]);
    assert.doesNotMatch(pieces.text, /data-pay-note/);
    assert.deepEqual(idsOn((await agent().get('/gigs?sort=start')).text), [ids.lantern, ids.tea, ids.kitchen, ids.warehouse]);
  });

  it('pages through results with the query kept in the links', async () => {
    for (let i = 0; i < 12; i++)
      await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: `分页灯笼${i}`, publishedAt: new Date(Date.now() + i * 1000) });
    const p1 = await agent().get(`/gigs?q=${encodeURIComponent('分页')}`);
    assert.equal(idsOn(p1.text).length, 10);
    assert.match(p1.text, /共找到 12 条/);
    const next = /href="([^"]+)" rel="next"/
      .exec(p1.text)![1]!
      .replace(/&amp;/g, '&')
      .replace(/&#x3D;/g, '=');
    assert.match(next, /q=%E5%88%86%E9%A1%B5/);
    assert.match(next, /page=2/);
    const p2 = await agent().get(next);
    assert.equal(idsOn(p2.text).length, 2);
    assert.equal(new Set([...idsOn(p1.text), ...idsOn(p2.text)]).size, 12);
    assert.match(p2.text, /rel="prev"/);
    const p9 = await agent().get(`/gigs?q=${encodeURIComponent('分页')}&page=9`);
    assert.equal(idsOn(p9.text).length, 2, 'a page past the end shows the last page');
  });

  it('is in English too', async () => {
    const res = await agent().get('/gigs?lang=en');
    assert.match(res.text, /Find odd jobs/);
    assert.match(res.text, /per|\/ piece|\/ day/i);
  });
});
