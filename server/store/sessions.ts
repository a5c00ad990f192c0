import type { SessionData } from 'express-session';
import MongoStore from 'connect-mongo';
import { LRUCache } from 'lru-cache';
import mongoose from 'mongoose';
import { retryRead } from '../db/read-retry.ts';
import { onForgetAll } from './cache.ts';

// Login sessions, read on every logged-in request. On FerretDB each read is a round trip that
// costs the engine about as much CPU as the page costs the app (benchmark: the worker's page
// went from 0.44× to 0.62–0.75× the reference without it). With one node, every session write
// passes through this process, so a session it has read or written is kept here and a later
// request reads none. With several nodes (REDIS_URL) another node may log the person out or
// stash a refused form, so each request reads the database, as connect-mongo does.

type Callback = (err?: unknown, session?: SessionData | null) => void;

interface Stored {
  session: unknown;
  expires?: Date;
  lastModified?: Date;
}

interface StoreInternals {
  collectionP: Promise<{ findOne(filter: object): Promise<Stored | null> }>;
  computeStorageId(sid: string): string;
  transformFunctions: { unserialize(x: unknown): Record<string, unknown> };
  options: { touchAfter: number };
}

// A session is a few hundred bytes; the bound covers every resident of a large center at once.
// The time to live only limits what a write made outside the app (a shell) could leave unseen.
const remembered = new LRUCache<string, Stored>({ max: 10_000, ttl: 10 * 60_000 });
// Counts finished session writes: a read that a write overlapped is not remembered (it may
// have read the document from before that write).
let writes = 0;

onForgetAll(() => remembered.clear());

export interface SessionStoreOptions {
  client: mongoose.mongo.MongoClient;
  /** Keep sessions in this process: only when this is the one node (no REDIS_URL). */
  remember: boolean;
  touchAfterSeconds: number;
}

/**
 * connect-mongo, read by `_id` alone: its own `get` adds an expiry `$or`, and on FerretDB only a
 * lone `_id` equality avoids reading the whole sessions collection. The expiry is checked here
 * (same result on MongoDB). With `remember`, sessions are kept in this process (above).
 */
class SessionStore extends MongoStore {
  readonly #remember: boolean;

  constructor(opts: SessionStoreOptions) {
    super({
      // connect-mongo bundles its own copy of the driver types; the client is the same at runtime.
      client: opts.client as unknown as ConstructorParameters<typeof MongoStore>[0]['client'],
      collectionName: 'sessions',
      stringify: false,
      // FerretDB refuses TTL indexes (docs/ARCHITECTURE.md), so expired sessions are swept by a job
      // (sessionSweepJob). Not by connect-mongo's 'interval': it deletes with w:0, and FerretDB answers
      // even such a write, leaving a stray reply on the connection (server/db/reply-order.ts).
      autoRemove: 'disabled',
      touchAfter: opts.touchAfterSeconds,
    } as ConstructorParameters<typeof MongoStore>[0]);
    this.#remember = opts.remember;
    // A touch writes a new lastModified: the kept copy would ask for the same touch again.
    this.on('touch', (sid: string) => forget(sid));
  }

  override get(sid: string, callback: Callback): void {
    const kept = this.#remember ? remembered.get(sid) : undefined;
    if (kept) return void callback(null, this.#fromStored(sid, structuredClone(kept)));
    const self = this as unknown as StoreInternals;
    const before = writes;
    (async () => {
      const collection = await self.collectionP;
      const doc = await retryRead(() => collection.findOne({ _id: self.computeStorageId(sid) }));
      if (doc && this.#remember && writes === before) remembered.set(sid, structuredClone(doc));
      callback(null, doc ? this.#fromStored(sid, doc) : null);
    })().catch((err: unknown) => callback(err));
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    super.set(sid, session, afterWrite(sid, callback));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    super.destroy(sid, afterWrite(sid, callback));
  }

  #fromStored(sid: string, doc: Stored): SessionData | null {
    if (doc.expires && doc.expires.getTime() <= Date.now()) {
      remembered.delete(sid);
      return null;
    }
    const self = this as unknown as StoreInternals;
    const result = self.transformFunctions.unserialize(doc.session);
    if (self.options.touchAfter > 0 && doc.lastModified) result.lastModified = doc.lastModified;
    return result as unknown as SessionData;
  }
}

function forget(sid: string): void {
  writes += 1;
  remembered.delete(sid);
}

/** Whether the write succeeded or not, the kept copy may be out of date: the next read asks the database. */
function afterWrite(sid: string, callback?: (err?: unknown) => void) {
  return (err?: unknown) => {
    forget(sid);
    callback?.(err);
  };
}

export function sessionStore(opts: SessionStoreOptions): MongoStore {
  return new SessionStore(opts);
}

/**
 * Ends every stored session of a user (a password reset, a disabled account, an erasure). A scan
 * of sessions, but a rare staff action; every kept session goes too (one read each to come back).
 */
export async function endSessionsOf(userId: string): Promise<void> {
  try {
    await mongoose.connection.db!.collection('sessions').deleteMany({ 'session.passport.user': userId });
  } finally {
    writes += 1;
    remembered.clear();
  }
}
