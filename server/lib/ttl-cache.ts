// Short-lived in-process caches for hot, read-mostly data. On FerretDB every query other than
// a lone _id match reads the whole collection, so public list pages read their (small) working
// set from here instead of the database on every request. Writes on this node invalidate at
// once; other nodes catch up within the TTL.
interface Entry<T> {
  at: number;
  value?: T;
  pending?: Promise<T>;
}

const entries = new Map<string, Entry<unknown>>();

/**
 * The cached value for `key`, loading it (once, even under concurrent calls) when missing.
 * When it is merely older than `ttlMs`, callers get the old value at once while one reload runs
 * in the background, so a busy page never stalls on the refresh. `invalidate` removes a value
 * outright: the next caller waits for fresh data (read-your-writes on this node).
 */
export async function cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  const e = entries.get(key) as Entry<T> | undefined;
  const fresh = e && 'value' in e && Date.now() - e.at < ttlMs;
  if (fresh) return e.value as T;
  if (e?.pending) return 'value' in e ? (e.value as T) : e.pending;
  const entry: Entry<T> = { at: e?.at ?? 0 };
  if (e && 'value' in e) entry.value = e.value;
  // A real promise, even when `load` returns a thenable such as a mongoose Query (which would
  // run again each time it is awaited).
  const pending = Promise.resolve().then(load);
  entry.pending = pending;
  entries.set(key, entry);
  const settle = pending.then(
    (value) => {
      // An invalidation while loading wins: do not store what may already be stale.
      if (entries.get(key) === entry) entries.set(key, { at: Date.now(), value });
      return value;
    },
    (err: unknown) => {
      if (entries.get(key) === entry) entries.delete(key);
      throw err;
    },
  );
  if ('value' in entry) {
    settle.catch(() => {});
    return entry.value as T;
  }
  return settle;
}

/** Drops every cached key starting with `prefix`. */
export function invalidate(prefix: string): void {
  for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
}

interface HookableSchema {
  post(method: string | string[], fn: () => void): unknown;
}

/** Any write through this model on this node drops the cached keys under `prefix`. */
export function dropCacheOnWrite(schema: HookableSchema, prefix: string): void {
  const drop = () => invalidate(prefix);
  schema.post(['updateOne', 'updateMany', 'findOneAndUpdate', 'findOneAndDelete', 'replaceOne', 'deleteOne', 'deleteMany'], drop);
  schema.post('insertMany', drop);
  schema.post('save', drop);
}
