import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { redisNodeLocks, type LockClient } from '../../server/store/locks.ts';
import { startRedis, REDIS_SERVER, type RedisServer } from '../helpers/cluster.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('store: cross-node locks on Redis (per-key queues with several nodes)', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let client: ReturnType<typeof createClient>;

  before(async function () {
    if (!REDIS_SERVER) {
      if (process.env.REQUIRE_BROWSER === '1') throw new Error('redis-server is required in CI');
      this.skip();
    }
    redis = await startRedis();
    client = createClient({ url: redis.url });
    await client.connect();
  });
  after(async () => {
    await client?.quit().catch(() => {});
    await redis?.stop();
  });

  it('lets one holder of a key at a time, in two "nodes", and other keys run meanwhile', async () => {
    const nodeA = redisNodeLocks(client as unknown as LockClient);
    const nodeB = redisNodeLocks(client as unknown as LockClient);
    const releaseA = await nodeA.acquire('k1');
    let bHolds = false;
    const b = nodeB.acquire('k1').then((release) => {
      bHolds = true;
      return release;
    });
    const other = await nodeB.acquire('k2'); // another key is free
    await other();
    await sleep(100);
    assert.equal(bHolds, false, 'B waits while A holds the key');
    await releaseA();
    const releaseB = await b;
    assert.equal(bHolds, true);
    await releaseB();
  });

  it('frees the key of a node that died holding it once its time to live runs out', async () => {
    // A "node" whose renewals never reach Redis (it died) and that never releases.
    const real = client as unknown as LockClient;
    const dead = redisNodeLocks({ set: (k, v, o) => real.set(k, v, o), eval: async () => 0 }, { ttlMs: 300 });
    await dead.acquire('k3');
    const started = Date.now();
    const release = await redisNodeLocks(client as unknown as LockClient).acquire('k3');
    assert.ok(Date.now() - started < 5_000);
    await release();
  });

  it("a holder whose lock expired cannot release the next holder's lock", async () => {
    const slow = redisNodeLocks(client as unknown as LockClient, { ttlMs: 60_000 });
    const releaseSlow = await slow.acquire('k4');
    await client.del('doorstep:lock:k4'); // as if it had expired
    const releaseNext = await redisNodeLocks(client as unknown as LockClient).acquire('k4');
    await releaseSlow();
    assert.ok(await client.get('doorstep:lock:k4'), 'the next holder keeps its lock');
    await releaseNext();
    assert.equal(await client.get('doorstep:lock:k4'), null);
  });

  it('gives up with an error after its wait, instead of hanging a request', async () => {
    const holder = await redisNodeLocks(client as unknown as LockClient).acquire('k5');
    await assert.rejects(redisNodeLocks(client as unknown as LockClient, { waitMs: 200 }).acquire('k5'), /waited 200 ms/);
    await holder();
  });
});
