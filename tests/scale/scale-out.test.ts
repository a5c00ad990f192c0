import assert from 'node:assert/strict';
import request from 'supertest';
import { freshDemo } from '../helpers/data.ts';
import { csrfFrom } from '../helpers/app.ts';
import { startAppNode, startRedis, REDIS_SERVER, type AppNode, type RedisServer } from '../helpers/cluster.ts';

/** Cookie header value from a response's Set-Cookie lines. */
function cookiesOf(res: request.Response, prev = ''): string {
  const jar = new Map(prev.split('; ').filter(Boolean).map((c) => [c.split('=')[0]!, c] as const));
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

  before(async function () {
    if (!REDIS_SERVER) {
      if (process.env.REQUIRE_BROWSER === '1') throw new Error('redis-server is required in CI');
      this.skip();
    }
    await freshDemo();
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
    const login = await request(a.url).post('/login').set('Cookie', cookie).type('form').send({ phone: '13800000003', password: 'doorstep-demo', _csrf: csrfFrom(page.text) });
    assert.equal(login.status, 302);
    cookie = cookiesOf(login, cookie);
    const onB = await request(b.url).get('/me').set('Cookie', cookie);
    assert.equal(onB.status, 200);
    assert.match(onB.text, /金士媖/);
    cookie = cookiesOf(onB, cookie);
    // Logging out on B ends the session on A too.
    const out = await request(b.url).post('/logout').set('Cookie', cookie).type('form').send({ _csrf: csrfFrom(onB.text) });
    assert.equal(out.status, 302);
    const onA = await request(a.url).get('/me').set('Cookie', cookie);
    assert.equal(onA.status, 302);
  });

  it('both nodes answer /readyz on the shared database', async () => {
    for (const node of [a, b]) assert.equal((await request(node.url).get('/readyz')).body.status, 'ready');
  });
});
