import assert from 'node:assert/strict';
import { agent } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { declareCache } from '../../server/store/cache.ts';
import { declaredCaches, setStoreLogger, postingQueue } from '../../server/store/index.ts';
import { allCenters, invalidateCenters } from '../../server/centers/tree.ts';
import { Center } from '../../models/center.ts';
import { Workshop } from '../../models/workshop.ts';
import { findWorkshop } from '../../server/workshops/service.ts';
import { workshopTasks } from '../../server/workshops/board.ts';
import { Task } from '../../models/task.ts';
import { Category } from '../../models/category.ts';
import { listCategories } from '../../server/gigs/service/categories.ts';
import type { SeedContext } from '../../server/seed/index.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const named = (what: string) => `test-${what}-${(seq += 1)}`;

/** A load that answers 1, 2, 3… (one more per call), each after `pauseMs`. */
function counter(pauseMs: number) {
  let n = 0;
  return {
    load: async () => {
      n += 1;
      await sleep(pauseMs);
      return n;
    },
    count: () => n,
  };
}

/** Collects the store's warnings for the duration of `fn`. */
async function withWarnings<T>(fn: (warnings: Record<string, unknown>[]) => Promise<T>): Promise<T> {
  const warnings: Record<string, unknown>[] = [];
  setStoreLogger({ warn: ((obj: Record<string, unknown>) => void warnings.push(obj)) as never });
  try {
    return await fn(warnings);
  } finally {
    setStoreLogger({ warn: (() => {}) as never });
  }
}

describe('store: declared caches', () => {
  it('loads once for concurrent callers, even when the loader returns a thenable query', async () => {
    const cache = declareCache({ name: named('once'), ttlMs: 10_000, max: 10 });
    let runs = 0;
    const thenable = () =>
      ({
        // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is the case under test (a mongoose Query)
        then: (ok: (v: number) => void) => {
          runs += 1;
          setTimeout(() => ok(runs), 5);
        },
      }) as PromiseLike<number>;
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('x', thenable)));
    assert.equal(runs, 1);
    assert.deepEqual(new Set(results), new Set([1]));
    cache.drop('x');
    assert.equal(await cache.get('x', thenable), 2);
  });

  it('serves the old value at once when the time to live has passed, the new one after the reload, and waits after a drop', async () => {
    const cache = declareCache({ name: named('swr'), ttlMs: 5, max: 10 });
    const { load, count } = counter(20);
    assert.equal(await cache.get('k', load), 1);
    await sleep(50); // ten times the time to live: without maxStaleMs, still served at once
    assert.equal(await cache.get('k', load), 1, 'stale value served while reloading');
    await sleep(40);
    assert.equal(await cache.get('k', load), 2, 'reloaded value');
    cache.drop('k'); // (a background reload may have started: its answer is not kept)
    const after = await cache.get('k', load);
    assert.ok(after >= 3 && after === count(), 'after a drop, callers wait for a fresh read');
  });

  it('with maxStaleMs, a value stale for longer is not shown: the caller waits for the read', async () => {
    const cache = declareCache({ name: named('bounded'), ttlMs: 200, max: 10, maxStaleMs: 200 });
    const { load } = counter(20);
    assert.equal(await cache.get('k', load), 1);
    await sleep(250);
    assert.equal(await cache.get('k', load), 1, 'stale within maxStaleMs: served while reloading');
    await sleep(60);
    assert.equal(await cache.get('k', load), 2, 'reloaded value');
    await sleep(500);
    assert.equal(await cache.get('k', load), 3, 'stale beyond maxStaleMs: the caller waits for the read');
  });

  it('while a reload runs, callers get the stale value at once, however old (a slow reload under load makes nobody wait)', async () => {
    const cache = declareCache({ name: named('slow-reload'), ttlMs: 100, max: 10, maxStaleMs: 100 });
    let n = 0;
    let pause = 0;
    const load = async () => {
      n += 1;
      await sleep(pause);
      return n;
    };
    assert.equal(await cache.get('k', load), 1);
    pause = 600;
    await sleep(150);
    assert.equal(await cache.get('k', load), 1, 'stale within one more time to live; the reload starts');
    await sleep(200); // now older than two times to live, the reload still running
    const t = Date.now();
    assert.equal(await cache.get('k', load), 1);
    assert.ok(Date.now() - t < 200, `answered without waiting for the reload (${Date.now() - t} ms)`);
    await sleep(400);
    assert.equal(await cache.get('k', load), 2, 'the reload landed');
  });

  it('keeps at most `max` keys (per-user keys cannot grow without bound)', async () => {
    const cache = declareCache({ name: named('max'), ttlMs: 60_000, max: 3 });
    let loads = 0;
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, async () => (loads += 1));
    assert.equal(loads, 4);
    await cache.get('a', async () => (loads += 1));
    assert.equal(loads, 5, 'the least recently used key was evicted and is read again');
  });

  it('does not keep an answer whose load was overtaken by a drop, but gives it to the callers waiting', async () => {
    const cache = declareCache({ name: named('race'), ttlMs: 60_000, max: 10 });
    let n = 0;
    const slow = async () => {
      n += 1;
      const mine = n;
      await sleep(20);
      return mine;
    };
    const waiting = cache.get('k', slow);
    await sleep(5);
    cache.drop('k'); // a write lands while the read is running
    assert.equal(await waiting, 1);
    assert.equal(await cache.get('k', slow), 2, 'the next caller reads again');
  });

  it('drops on any write through a declared model, including create', async function () {
    this.timeout(60_000);
    await freshDemo();
    const w = await Workshop.findOne().lean();
    const first = await findWorkshop(String(w!._id));
    assert.equal(first!.name, w!.name);
    await Workshop.updateOne({ _id: w!._id }, { $set: { name: 'Renamed for the cache test' } });
    assert.equal((await findWorkshop(String(w!._id)))!.name, 'Renamed for the cache test');
    const before = (await workshopTasks(String(w!._id))).length;
    await Task.create({ workshop: w!._id, name: 'A task for the cache test', unit: '个', rateFen: 10 });
    assert.equal((await workshopTasks(String(w!._id))).length, before + 1, 'create (save) drops too');
    const doc = await Workshop.findById(w!._id);
    doc!.name = 'Saved for the cache test';
    await doc!.save();
    assert.equal((await findWorkshop(String(w!._id)))!.name, 'Saved for the cache test');
    const categories = (await listCategories()).length;
    await Category.create({ key: 'cache-test', name: '缓存测试', nameEn: 'Cache test', order: 100 });
    assert.equal((await listCategories()).length, categories + 1, 'a new category shows at once');
  });

  it('every cache of the app declares a size bound and a time to live', async () => {
    await import('../../server/store/caches.ts');
    const app = declaredCaches().filter((c) => !c.spec.name.startsWith('test-'));
    assert.ok(app.length >= 10, `${app.length} caches`);
    for (const c of app) assert.ok(c.spec.max > 0 && c.spec.ttlMs > 0, c.spec.name);
    assert.equal(new Set(app.map((c) => c.spec.name)).size, app.length, 'names are unique');
  });
});

describe('store: a failed or slow read is never cached as an answer (issue 11.5)', () => {
  it('a failing reload keeps serving the last good value, is logged and is retried', async () => {
    const cache = declareCache<string[]>({ name: named('fail'), ttlMs: 5, max: 10 });
    let fail = false;
    let calls = 0;
    const load = async () => {
      calls += 1;
      if (fail) throw new Error('engine busy');
      return ['a', 'b'];
    };
    assert.deepEqual(await cache.get('k', load), ['a', 'b']);
    fail = true;
    await withWarnings(async (warnings) => {
      await sleep(10);
      assert.deepEqual(await cache.get('k', load), ['a', 'b'], 'stale but good');
      await sleep(120); // the reload and its retry fail
      assert.deepEqual(await cache.get('k', load), ['a', 'b'], 'still the last good value, never empty');
      assert.ok(warnings.length >= 2 && warnings.every((w) => w.kept === true), 'each failed attempt is logged');
    });
    const before = calls;
    fail = false;
    await sleep(120);
    await cache.get('k', load);
    assert.ok(calls > before, 'the next caller after a failure reads again');
  });

  it('with no earlier value, callers get a clear error, not an empty answer, and the next read succeeds', async () => {
    const cache = declareCache<string[]>({ name: named('cold'), ttlMs: 60_000, max: 10 });
    await withWarnings(async (warnings) => {
      await assert.rejects(
        cache.get('k', async () => Promise.reject(new Error('engine busy'))),
        /engine busy/,
      );
      assert.equal(warnings.length, 2, 'tried twice, logged twice');
    });
    assert.deepEqual(await cache.get('k', async () => ['a']), ['a']);
  });

  it('a load slower than its limit is not awaited for ever, and its late answer is not kept', async () => {
    const cache = declareCache<number>({ name: named('slow'), ttlMs: 60_000, max: 10, timeoutMs: 20 });
    await withWarnings(async () => {
      const started = Date.now();
      await assert.rejects(
        cache.get('k', () => sleep(200).then(() => 1)),
        /no answer within 20 ms/,
      );
      assert.ok(Date.now() - started < 190, 'not waiting for the late answer');
    });
    assert.equal(await cache.get('k', async () => 2), 2);
  });

  describe('the center tree', () => {
    let ctx: SeedContext;
    const find = Center.find;
    before(async function () {
      this.timeout(60_000);
      ctx = await freshDemo();
    });
    afterEach(() => {
      Center.find = find;
      invalidateCenters();
    });

    function centersAnswer(answer: () => Promise<unknown[]>) {
      Center.find = (() => ({ lean: answer })) as never;
    }

    it('an empty answer after a good tree is refused: the page errors clearly rather than listing no centers', async () => {
      const good = (await allCenters()).length;
      assert.ok(good > 5);
      invalidateCenters();
      centersAnswer(async () => []);
      await withWarnings(async (warnings) => {
        await assert.rejects(allCenters(), /suspect answer/);
        const page = await agent().get('/register');
        assert.equal(page.status, 500, 'a clear error page, not a form with no centers to choose');
        assert.ok(warnings.some((w) => w.cache === 'center-tree'));
      });
      Center.find = find;
      assert.equal((await allCenters()).length, good, 'the next read brings the tree back');
      const page = await agent().get('/register');
      assert.equal(page.status, 200);
      assert.match(page.text, new RegExp(ctx.centers.miaoxi!));
    });

    it('a failing read gives an error, never an empty list, and does not stick', async () => {
      invalidateCenters();
      centersAnswer(() => Promise.reject(new Error('operation exceeded time limit')));
      await withWarnings(async () => {
        await assert.rejects(allCenters(), /operation exceeded time limit/);
      });
      Center.find = find;
      assert.ok((await allCenters()).length > 5);
    });
  });
});

describe('store: per-key queues', () => {
  it('runs tasks of one key one at a time in order, and keys in parallel; a failure does not block the next', async () => {
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name}+`);
        await sleep(ms);
        log.push(`${name}-`);
        if (fail) throw new Error(name);
        return name;
      };
    const a1 = postingQueue.run('q-test', task('a1', 20, true));
    const a2 = postingQueue.run('q-test', task('a2', 5));
    const b1 = postingQueue.run('q-other', task('b1', 5));
    await assert.rejects(a1, /a1/);
    assert.equal(await a2, 'a2');
    assert.equal(await b1, 'b1');
    assert.ok(log.indexOf('a1-') < log.indexOf('a2+'), 'same key never overlaps');
    assert.ok(log.indexOf('b1+') < log.indexOf('a1-'), 'another key runs alongside');
  });
});
