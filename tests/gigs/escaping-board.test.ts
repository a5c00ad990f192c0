import assert from 'node:assert/strict';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { attachIo } from '../../server/realtime/hub.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { createPostingHttp, postingFields, publishedPosting } from './helpers.ts';

const EVIL = '<script>alert("x")</script><b>粗</b>';

describe('gigs: escaping, poster and the lobby board', () => {
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  it('shows HTML in a title escaped everywhere', async () => {
    const emp = await loggedIn('13800000002');
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!, { title: EVIL, description: EVIL, contact: EVIL }));
    await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {});
    const staff = await loggedIn('13800000001');
    const pages: [typeof emp, string][] = [
      [emp, `/employer/postings/${id}`],
      [emp, '/employer/postings'],
      [staff, '/staff/moderation'],
      [staff, `/staff/postings/${id}`],
    ];
    const check = async () => {
      for (const [ag, url] of pages) {
        const res = await ag.get(url);
        assert.equal(res.status, 200, url);
        assert.doesNotMatch(res.text, /<script>alert/, url);
        assert.doesNotMatch(res.text, /<b>粗/, url);
        assert.match(res.text, /&lt;script&gt;alert|&lt;b&gt;粗/, `${url} shows the text`);
      }
    };
    await check();
    pages.length = 0;
    await submit(staff, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {});
    const resident = await loggedIn('13800000003');
    await submit(resident, `/gigs/${id}`, `/gigs/${id}/apply`, { message: EVIL });
    pages.push(
      [agent(), '/gigs'],
      [agent(), `/gigs/${id}`],
      [agent(), `/gigs/${id}/poster`],
      [agent(), `/centers/${ctx.centers.miaoxi}/board`],
      [agent(), `/centers/${ctx.centers.miaoxi}/board?fragment=1`],
      [resident, '/me/applications'],
      [emp, `/employer/postings/${id}`],
      [emp, '/notifications'],
      [staff, `/staff/postings/${id}`],
    );
    await check();
  });

  it('prints an A4 poster with pay, dates, contact, code and a QR code, without site chrome', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '海报测试', payFen: 16000, contact: '王老板 13800000002' });
    const res = await agent().get(`/gigs/${id}/poster`);
    assert.equal(res.status, 200);
    assert.match(res.text, /海报测试/);
    assert.match(res.text, /160\.00/);
    assert.match(res.text, /13800000002/);
    assert.match(res.text, /<svg/);
    assert.match(res.text, /gigs\.css/);
    assert.doesNotMatch(res.text, /site-header/);
  });

  it("shows the center's and lower centers' postings on a public board with QR codes, and pushes changes live", async () => {
    const events: { room: string | string[]; event: string; payload: unknown }[] = [];
    attachIo({ to: (room: string | string[]) => ({ emit: (event: string, payload: unknown) => events.push({ room, event, payload }) }) } as never);
    try {
      const village = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '村里的活' });
      const other = await publishedPosting(ctx.users.employer!, ctx.centers.lifeng!, { title: '别处的活' });
      const board = await agent().get(`/centers/${ctx.centers.dongcheng}/board`);
      assert.equal(board.status, 200);
      assert.match(board.text, new RegExp(`data-posting-id="${village}"`));
      assert.doesNotMatch(board.text, new RegExp(`data-posting-id="${other}"`));
      assert.match(board.text, /socket\.io\.js/);
      assert.match(board.text, /<svg/);
      assert.equal((await agent().get('/centers/000000000000000000000000/board')).status, 404);

      // Staff approve a posting: the boards of its center and every center above hear about it.
      const emp = await loggedIn('13800000002');
      const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!, { title: '新上墙的活', headcount: '1' }));
      await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {});
      events.length = 0;
      await submit(await loggedIn('13800000001'), `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {});
      const published = events.find((e) => e.event === 'board:changed' && (e.payload as { action: string }).action === 'published');
      assert.ok(published, 'a board event was emitted');
      const rooms = ([] as string[]).concat(published.room);
      for (const c of ['linhai', 'dongcheng', 'miaoxi']) assert.ok(rooms.includes(`board:${ctx.centers[c]}`), c);
      assert.ok(
        events.some((e) => e.event === 'notification' && ([] as string[]).concat(e.room).includes(`user:${ctx.users.employer}`)),
        'the employer is pushed a notification',
      );
      const fragment = await agent().get(`/centers/${ctx.centers.miaoxi}/board?fragment=1`);
      assert.match(fragment.text, new RegExp(`data-posting-id="${id}"`));

      // Filling it removes it from the board.
      const appId = await applications.apply({ id: ctx.users.resident! }, id, { message: '', availability: '' });
      events.length = 0;
      await submit(emp, `/employer/postings/${id}`, `/employer/applications/${appId}/accept`, {});
      assert.ok(
        events.some(
          (e) =>
            e.event === 'board:changed' &&
            (e.payload as { action: string; postingId: string }).action === 'removed' &&
            (e.payload as { postingId: string }).postingId === id,
        ),
      );
      assert.doesNotMatch((await agent().get(`/centers/${ctx.centers.miaoxi}/board?fragment=1`)).text, new RegExp(`data-posting-id="${id}"`));
    } finally {
      attachIo(undefined);
    }
  });

  it('finds a posting by its short code at the desk', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { code: '424242' });
    assert.equal((await agent().get('/gigs/lookup?code=424242')).headers.location, `/gigs/${id}`);
    const staff = await loggedIn('13800000001');
    assert.equal((await staff.get('/gigs/lookup?code=424242')).headers.location, `/staff/postings/${id}`);
    assert.equal((await agent().get('/gigs/lookup?code=999999')).status, 404);
  });

  it('renders the seeded demo pages for each role in both languages', async () => {
    for (const lang of ['zh-CN', 'en']) {
      for (const [phone, urls] of [
        ['13800000002', ['/employer/profile', '/employer/postings', '/employer/postings/new']],
        ['13800000003', ['/me/applications', '/gigs']],
        ['13800000001', ['/staff/moderation', '/staff/gigs/categories']],
      ] as const) {
        const ag = await loggedIn(phone);
        for (const url of urls) {
          const res = await ag.get(`${url}?lang=${lang}`);
          assert.equal(res.status, 200, `${phone} ${url} ${lang}`);
          assert.doesNotMatch(res.text, /gigs\.[a-zA-Z]+\.[a-zA-Z]+/, `no missing keys on ${url} (${lang})`);
        }
      }
    }
  });

  it('without JavaScript the board shows six cards a page, every open posting once over its pages; the live fragment holds them all', async () => {
    // Enough postings at one village for three pages.
    for (let i = 0; i < 13; i++) await publishedPosting(ctx.users.employer!, ctx.centers.xunqiao!, { title: `翻页零工${i}` });
    const cardsOf = (html: string) => [...html.matchAll(/data-posting-id="([a-f\d]{24})"/g)].map((m) => m[1]!);
    const all = cardsOf((await agent().get(`/centers/${ctx.centers.xunqiao}/board?fragment=1`)).text);
    assert.ok(all.length >= 13, `the fragment holds every card (${all.length})`);
    const pages = Math.ceil(all.length / 6);
    const seen: string[] = [];
    for (let page = 1; page <= pages; page++) {
      const res = await agent().get(`/centers/${ctx.centers.xunqiao}/board?page=${page}`);
      assert.equal(res.status, 200);
      const cards = cardsOf(res.text);
      assert.equal(cards.length, page < pages ? 6 : all.length - 6 * (pages - 1), `page ${page}`);
      assert.equal((res.text.match(/<svg/g) ?? []).length, cards.length + 1, 'a QR code per card and one for the list');
      assert.match(res.text, new RegExp(`content="\\d+;url=[^"]*page=${page < pages ? page + 1 : 1}`), 'the meta refresh turns to the next page');
      seen.push(...cards);
    }
    assert.deepEqual([...seen].sort(), [...all].sort());
  });
});
