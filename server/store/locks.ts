import crypto from 'node:crypto';
import { storeLog } from './log.ts';

// Cross-node exclusion for the per-key queues (queues.ts). On one node the in-process queue is
// enough; with several nodes (REDIS_URL) in front of FerretDB, whose $inc and findAndModify are
// read-modify-write, two nodes applying the same summary $inc at once would lose one. So with
// REDIS_URL set, a queue task also holds a Redis lock on its key: SET NX PX with a random
// token, renewed while the task runs, released only by its holder (a compare-and-delete
// script). A node that dies holding a lock frees it when its time to live runs out.

export interface NodeLocks {
  /** Waits until this node holds `key` across all nodes; the returned function releases it. */
  acquire(key: string): Promise<() => Promise<void>>;
}

let locks: NodeLocks | undefined;

/** Sets (or with undefined, removes) the cross-node locks the queues take. */
export function useNodeLocks(l: NodeLocks | undefined): void {
  locks = l;
}

/** Runs `task` holding the key's cross-node lock when there is one (several nodes). */
export async function withNodeLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  if (!locks) return task();
  const release = await locks.acquire(key);
  try {
    return await task();
  } finally {
    await release().catch((err: unknown) => storeLog().warn({ err, key }, 'releasing a node lock failed; it expires by itself'));
  }
}

/** The few Redis commands the locks need (node-redis' client has them). */
export interface LockClient {
  set(key: string, value: string, opts: { NX: true; PX: number }): Promise<string | null>;
  eval(script: string, opts: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

export interface RedisLockOptions {
  /** How long a lock outlives a node that died holding it (renewed every third of it). */
  ttlMs?: number;
  /** How long a task waits for a lock before it fails (an error page, nothing half-written). */
  waitMs?: number;
}

export function redisNodeLocks(client: LockClient, opts: RedisLockOptions = {}): NodeLocks {
  const ttl = opts.ttlMs ?? 10_000;
  const wait = opts.waitMs ?? 60_000;
  return {
    async acquire(key) {
      const name = `doorstep:lock:${key}`;
      const token = crypto.randomUUID();
      const deadline = Date.now() + wait;
      let pause = 2;
      while ((await client.set(name, token, { NX: true, PX: ttl })) !== 'OK') {
        if (Date.now() > deadline) throw new Error(`waited ${wait} ms for the lock ${key}`);
        await new Promise((r) => setTimeout(r, pause + Math.random() * pause));
        pause = Math.min(pause * 2, 50);
      }
      const renew = setInterval(() => {
        client.eval(RENEW, { keys: [name], arguments: [token, String(ttl)] }).then(
          (kept) => {
            if (kept) return;
            clearInterval(renew); // lost: nothing left to renew
            storeLog().warn({ key }, 'a node lock expired while its task ran');
          },
          (err: unknown) => storeLog().warn({ err, key }, 'renewing a node lock failed'),
        );
      }, ttl / 3);
      renew.unref();
      return async () => {
        clearInterval(renew);
        await client.eval(RELEASE, { keys: [name], arguments: [token] });
      };
    },
  };
}

/** Connects the cross-node locks to Redis; returns what closes them (main.ts, with REDIS_URL). */
export async function connectNodeLocks(redisUrl: string): Promise<() => Promise<void>> {
  const { createClient } = await import('redis');
  // While Redis is away a lock fails at once (the request fails, nothing half-written) instead of
  // queueing commands until it returns.
  const client = createClient({ url: redisUrl, disableOfflineQueue: true });
  client.on('error', (err: unknown) => storeLog().warn({ err }, 'redis (node locks)'));
  await client.connect();
  useNodeLocks(redisNodeLocks(client as unknown as LockClient));
  return async () => {
    useNodeLocks(undefined);
    await client.quit().catch(() => {});
  };
}
