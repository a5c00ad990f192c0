import assert from 'node:assert/strict';
import request from 'supertest';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { csrfFrom, login, loggedIn, submit } from '../helpers/app.ts';
import { connectSocket } from '../helpers/socket.ts';
import { createPostingHttp, postingFields } from '../gigs/helpers.ts';
import { addMember, assertSummariesMatchLedger, makeShop } from '../workshops/helpers.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { summaryIds } from '../../server/workshops/summaries.ts';
import { dayKey } from '../../server/lib/format.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { startAppNode, startRedis, REDIS_SERVER, type AppNode, type RedisServer } from '../helpers/cluster.ts';

/** Cookie header value from a response's Set-Cookie lines. */
function cookiesOf(res: request.Response, prev = ''): string {
  const jar = new Map(
    prev
      .split('; ')
      .filter(Boolean)
      .map((c) => [c.split('=')[0]!, c] as const),
  );
  for (const line of (res.headers['set-cookie'] as unknown as string[] | undefined) ?? []) {
    const pair = line.split(';')[0]!;
    jar.set(pair.split('=')[0]!, pair);
  }
  return [...jar.values()].join('; ');
}

describe('scale-out: two app nodes, one database, one Redis', function () {
  this.timeout(120_000);
  let redis: RedisServer;
  let a: AppNode;
  let b: AppNode;
  let ctx: SeedContext;

  before(async function () {
    if (!REDIS_SERVER) {
      if (process.env.REQUIRE_BROWSER === '1') throw new Error('redis-server is required in CI');
      this.skip();
    }
    ctx = await freshDemo();
    redis = await startRedis();
    [a, b] = await Promise.all([startAppNode({ REDIS_URL: redis.url }), startAppNode({ REDIS_URL: redis.url })]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('keeps a resident logged in on node B after logging in on node A (sessions in MongoDB)', async () => {
    const page = await request(a.url).get('/login');
    let cookie = cookiesOf(page);
    const login = await request(a.url)
      .post('/login')
      .set('Cookie', cookie)
      .type('form')
      .send({ phone: '13800000003', password: 'doorstep-demo', _csrf: csrfFrom(page.text) });
    assert.equal(login.status, 302);
    cookie = cookiesOf(login, cookie);
    const onB = await request(b.url).get('/me').set('Cookie', cookie);
    assert.equal(onB.status, 200);
    assert.match(onB.text, /金士媖/);
    cookie = cookiesOf(onB, cookie);
    // A has read the session too (a node alone would keep it: server/store/sessions.ts).
    assert.equal((await request(a.url).get('/me').set('Cookie', cookie)).status, 200);
    // Logging out on B ends the session on A too.
    const out = await request(b.url)
      .post('/logout')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrfFrom(onB.text) });
    assert.equal(out.status, 302);
    const onA = await request(a.url).get('/me').set('Cookie', cookie);
    assert.equal(onA.status, 302);
  });

  it('both nodes answer /readyz on the shared database', async () => {
    for (const node of [a, b]) assert.equal((await request(node.url).get('/readyz')).body.status, 'ready');
  });

  it('a posting approved on node A reaches a lobby-board socket connected to node B (socket.io through Redis)', async () => {
    // The posting is written and sent for review through the in-process app (same database).
    const emp = await loggedIn('13800000002');
    const id = await createPostingHttp(emp, postingFields(ctx.centers.miaoxi!, { title: '跨节点上墙' }));
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/postings/${id}/submit`, {})).status, 302);
    const socket = await connectSocket(b.url);
    try {
      assert.equal(await socket.subscribe(`board:${ctx.centers.miaoxi}`), true);
      const staffOnA = request.agent(a.url);
      await login(staffOnA, '13800000001');
      assert.equal((await submit(staffOnA, `/staff/postings/${id}`, `/staff/postings/${id}/approve`, {})).status, 302);
      const published = (event: string, p: unknown) =>
        event === 'board:changed' && (p as { postingId: string }).postingId === id && (p as { action: string }).action === 'published';
      assert.ok(await socket.waitFor(published));
    } finally {
      socket.close();
    }
  });

  it('two nodes logging piece-work for one workshop at once keep its summaries exact (Redis locks per key)', async function () {
    this.timeout(300_000);
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 35 });
    const worker = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, worker.id);
    const perNode = 30;
    const day = dayKey();
    const logOn = async (node: AppNode, tag: string) => {
      const ag = request.agent(node.url);
      await login(ag, '13800000001');
      const page = await ag.get(`/staff/workshops/${shop.id}/log`);
      assert.equal(page.status, 200);
      const csrf = csrfFrom(page.text);
      // Several requests in flight per node, every one on the same summary documents.
      const send = async (i: number) => {
        const res = await ag
          .post(`/staff/workshops/${shop.id}/entries`)
          .type('form')
          .send({
            workerId: worker.id,
            taskId: shop.taskId,
            counted: String(1 + (i % 7)),
            rejected: '0',
            date: day,
            note: '',
            idempotencyKey: `scale-${tag}-${process.pid}-${i}`,
            _csrf: csrf,
          });
        assert.equal(res.status, 302, `${tag} entry ${i}: ${res.status}`);
      };
      for (let i = 0; i < perNode; i += 6) await Promise.all(Array.from({ length: Math.min(6, perNode - i) }, (_, j) => send(i + j)));
    };
    await Promise.all([logOn(a, 'a'), logOn(b, 'b')]);
    assert.equal(await LedgerEntry.countDocuments({ workshop: shop.id }), 2 * perNode);
    await assertSummariesMatchLedger(shop.id);
    let pieces = 0;
    for (let i = 0; i < perNode; i++) pieces += 2 * (1 + (i % 7));
    const shopDay = await WorkSummary.findById(summaryIds.shopDay(shop.id, day)).lean();
    assert.equal(shopDay!.accepted, pieces);
    assert.equal(shopDay!.entries, 2 * perNode);
  });
});
