import { LRUCache } from 'lru-cache';
import { onModelWrite } from './writes.ts';
import { storeLog } from './log.ts';

/**
 * What one read-through cache holds and when it lets go. Every cache of the app is declared
 * in server/store/caches.ts, so the whole list (and what each costs in memory) is in one place.
 */
export interface CacheSpec<V> {
  /** Names the cache in logs and in docs/ARCHITECTURE.md. */
  name: string;
  /** How long a value is served as fresh; after that, callers get it at once while one reload runs. */
  ttlMs: number;
  /** At most this many keys (least recently used go first): per-user keys must not grow without bound. */
  max: number;
  /** Any write through these models on this node drops every key (writes elsewhere show within ttlMs). */
  dropOn?: string[];
  /** A load slower than this counts as failed (its late answer is not stored). */
  timeoutMs?: number;
  /**
   * A value older than ttlMs + this is not served while it reloads (unless a reload is already
   * running): the caller waits for the read. For caches whose reload is cheap and whose old
   * figures mislead (a worker's month changed on another node). Unset: stale of any age is
   * served at once, for caches whose reload is a slow scan (reports) that nobody should wait for.
   */
  maxStaleMs?: number;
  /**
   * True when a freshly loaded value cannot be right given the last good one (e.g. a tree of
   * centers that suddenly has none): it is treated as a failed load.
   */
  suspect?: (value: V, previous: V) => boolean;
}

export interface Cache<V> {
  readonly spec: CacheSpec<V>;
  /**
   * The value for `key`: cached, or read by `load` once however many callers ask at the same
   * time. The read stays beside the domain code that knows what it means; each cache has one
   * caller, so a key always means the same read.
   */
  get<T extends V>(key: string, load: () => PromiseLike<T>): Promise<T>;
  /** Drops one key: the next caller waits for fresh data (read-your-writes on this node). */
  drop(key: string): void;
  /** Drops every key. */
  dropAll(): void;
  /** Drops every key and the last good values kept for `suspect`: the database was replaced. */
  forget(): void;
}

/** A load gave no value and no error (lru-cache's answer for a fetch it gave up on). */
export class CacheLoadError extends Error {
  constructor(cache: string, key: string) {
    super(`cache ${cache}: no value for ${key}`);
    this.name = 'CacheLoadError';
  }
}

// Long enough for a read on a machine under heavy load (a slow answer is still an answer), short
// enough that a hung read cannot hold a key's refresh for ever.
const DEFAULT_TIMEOUT_MS = 20_000;
const ATTEMPTS = 2;
const RETRY_DELAY_MS = 50;

// lru-cache refuses null and undefined as values; a box lets a load answer "none".
type Box<V> = { value: V };
type Loader = () => PromiseLike<unknown>;

const declared: Cache<unknown>[] = [];

/** Every declared cache (for docs and tests). */
export function declaredCaches(): readonly Cache<unknown>[] {
  return declared;
}

const forgetters: (() => void)[] = [];

/** Runs `fn` with forgetAllCaches: for what the store keeps besides declared caches (sessions.ts). */
export function onForgetAll(fn: () => void): void {
  forgetters.push(fn);
}

/** Forgets everything every cache holds: for tests and commands that empty or replace the database. */
export function forgetAllCaches(): void {
  for (const c of declared) c.forget();
  for (const fn of forgetters) fn();
}

class LoadTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LoadTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Declares a read-through cache on lru-cache: bounded (`max`), fresh for `ttlMs`, then stale
 * while one reload runs (for at most `maxStaleMs` more when set; older, callers wait for the reload). A load that fails or looks `suspect` is logged and tried once more; one
 * that times out is logged. Neither is stored: the last good value stays and is served, or, with
 * none, the callers waiting get the error (the next caller reads again). A drop while a load
 * runs wins: that load's answer goes to the callers waiting on it, but is not kept.
 */
export function declareCache<V = unknown>(spec: CacheSpec<V>): Cache<V> {
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // What a suspect answer is compared with, even after a drop emptied the cache.
  const lastGood = new Map<string, V>();
  // Reloads running per key: meanwhile callers get the stale value, however old (a reload slow
  // under heavy load must not make every caller wait for it).
  const loading = new Map<string, number>();
  const lru: LRUCache<string, Box<V>, Loader> = new LRUCache<string, Box<V>, Loader>({
    max: spec.max,
    ttl: spec.ttlMs,
    allowStale: true,
    // A drop during a load does not fail the callers waiting on it; the answer is just not kept.
    ignoreFetchAbort: true,
    // A failed reload keeps the last good value in place (served while stale, and to callers
    // that waited for the reload).
    noDeleteOnFetchRejection: true,
    fetchMethod: async (key, stale, { context }) => {
      loading.set(key, (loading.get(key) ?? 0) + 1);
      try {
        return await loadWithRetry(key, stale, context);
      } finally {
        const left = (loading.get(key) ?? 1) - 1;
        if (left) loading.set(key, left);
        else loading.delete(key);
      }
    },
  });
  async function loadWithRetry(key: string, stale: Box<V> | undefined, load: Loader): Promise<Box<V>> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        // A real promise, even when the loader hands back a thenable such as a mongoose Query.
        const value = (await withTimeout(Promise.resolve().then(load), timeoutMs)) as V;
        if (spec.suspect) {
          const previous = stale ? stale.value : lastGood.get(key);
          if (previous !== undefined && spec.suspect(value, previous)) throw new Error(`cache ${spec.name}: suspect answer`);
          lastGood.set(key, value);
        }
        return { value };
      } catch (err) {
        storeLog().warn({ err, cache: spec.name, key, attempt, kept: !!stale }, 'cache load failed');
        // A timed-out read is not asked again at once: that would only add to the load.
        if (attempt >= ATTEMPTS || err instanceof LoadTimeout) throw err;
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      }
    }
  }
  const cache: Cache<V> = {
    spec,
    async get<T extends V>(key: string, load: () => PromiseLike<T>) {
      // With maxStaleMs, a key nobody asked for in a long while (another node may have changed
      // it meanwhile) waits for its read instead of showing old figures once; while a reload
      // runs, its stale value is served anyway (a reload slow under load makes nobody wait).
      const allowStale = spec.maxStaleMs === undefined || loading.has(key) || lru.getRemainingTTL(key) > -spec.maxStaleMs;
      let box: Box<V> | undefined;
      try {
        box = await lru.fetch(key, { context: load, allowStale });
      } catch (err) {
        box = lru.peek(key, { allowStale: true });
        if (!box) throw err;
      }
      if (!box) throw new CacheLoadError(spec.name, key);
      return box.value as T;
    },
    drop: (key) => void lru.delete(key),
    dropAll: () => lru.clear(),
    forget: () => {
      lru.clear();
      lastGood.clear();
    },
  };
  for (const model of spec.dropOn ?? []) onModelWrite(model, cache.dropAll);
  declared.push(cache as Cache<unknown>);
  return cache;
}
