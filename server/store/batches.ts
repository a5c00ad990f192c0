import type { KeyedQueue } from './queues.ts';

// Group commit. On FerretDB every command costs a few milliseconds whatever it does, and the
// writes of one key run one at a time (queues.ts), so a key written by many people at once (a
// workshop's ledger on a busy morning) would be served at one write's latency each. Items that
// arrive for a key while its queue is busy wait together and are written as one batch: one
// insert of all of them and one update per derived record, so the cost per item falls as the
// queue grows instead of the wait growing with it.

export interface GroupCommit<T, R> {
  /** Adds `item` to the key's next batch; resolves with its own outcome once that batch is written. */
  add(key: string, item: T): Promise<R>;
}

interface Waiting<T, R> {
  item: T;
  done: (value: R) => void;
  fail: (err: unknown) => void;
}

/**
 * Batches of at most `max` items per key, each written by `write` inside the key's queue (so a
 * batch runs after everything queued before it and before everything queued after). `write`
 * answers every item of its batch, in order, as `Promise.allSettled` would: one item refused
 * does not fail the others. A batch that throws fails all of its items.
 */
export function groupCommit<T, R>(queue: KeyedQueue, max: number, write: (key: string, items: T[]) => Promise<PromiseSettledResult<R>[]>): GroupCommit<T, R> {
  // The batch of each key that is waiting for its turn in the queue (none once it has started).
  const waiting = new Map<string, Waiting<T, R>[]>();
  const start = (key: string, batch: Waiting<T, R>[]) =>
    queue
      .run(key, () => {
        if (waiting.get(key) === batch) waiting.delete(key); // later arrivals form the next batch
        return write(
          key,
          batch.map((w) => w.item),
        );
      })
      .then(
        (results) => {
          for (const [i, w] of batch.entries()) {
            const r = results[i];
            if (r?.status === 'fulfilled') w.done(r.value);
            else w.fail(r ? r.reason : new Error('no outcome'));
          }
        },
        (err: unknown) => {
          for (const w of batch) w.fail(err);
        },
      );
  return {
    add: (key, item) =>
      new Promise<R>((done, fail) => {
        const batch = waiting.get(key);
        if (batch && batch.length < max) return void batch.push({ item, done, fail });
        const fresh = [{ item, done, fail }];
        waiting.set(key, fresh);
        void start(key, fresh);
      }),
  };
}
