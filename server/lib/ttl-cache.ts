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

/** The cached value for `key`, loading it (once, even under concurrent calls) when stale. */
export async function cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  const e = entries.get(key) as Entry<T> | undefined;
  if (e && 'value' in e && Date.now() - e.at < ttlMs) return e.value as T;
  if (e?.pending) return e.pending;
  // A real promise, even when `load` returns a thenable such as a mongoose Query (which would
  // run again each time it is awaited).
  const pending = Promise.resolve().then(load);
  const entry: Entry<T> = { at: e?.at ?? 0, value: e?.value, pending };
  if (!(e && 'value' in e)) delete entry.value;
  entries.set(key, entry);
  try {
    const value = await pending;
    // An invalidation while loading wins: do not store what may already be stale.
    if (entries.get(key) === entry) entries.set(key, { at: Date.now(), value });
    return value;
  } catch (err) {
    if (entries.get(key) === entry) entries.delete(key);
    throw err;
  }
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
