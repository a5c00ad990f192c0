import session from 'express-session';
import MongoStore from 'connect-mongo';
import mongoose from 'mongoose';
import type { Config } from '../config.ts';
import { retryRead } from '../db/read-retry.ts';
import type { ScheduledJob } from '../scheduler.ts';

export const SESSION_COOKIE = 'doorstep.sid';

interface StoreInternals {
  collectionP: Promise<{ findOne(filter: object): Promise<{ session: unknown; expires?: Date; lastModified?: Date } | null> }>;
  computeStorageId(sid: string): string;
  transformFunctions: { unserialize(x: unknown): Record<string, unknown> };
  options: { touchAfter: number };
}

/**
 * connect-mongo's `get` filters on `_id` plus an expiry `$or`; on FerretDB only a lone `_id`
 * equality avoids reading the whole sessions collection, and this runs on every logged-in
 * request. So read by `_id` alone and check the expiry here (same result on MongoDB).
 */
class IdLookupMongoStore extends MongoStore {
  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const self = this as unknown as StoreInternals;
    (async () => {
      const collection = await self.collectionP;
      const doc = await retryRead(() => collection.findOne({ _id: self.computeStorageId(sid) }));
      if (!doc || (doc.expires && doc.expires.getTime() <= Date.now())) return callback(null, null);
      const result = self.transformFunctions.unserialize(doc.session);
      if (self.options.touchAfter > 0 && doc.lastModified) result.lastModified = doc.lastModified;
      callback(null, result as unknown as session.SessionData);
    })().catch((err: unknown) => callback(err));
  }
}

export function sessionMiddleware(config: Config, secret: string) {
  const store = new IdLookupMongoStore({
    // connect-mongo bundles its own copy of the driver types; the client is the same at runtime.
    client: mongoose.connection.getClient() as unknown as Parameters<typeof MongoStore.create>[0]['client'],
    collectionName: 'sessions',
    stringify: false,
    // FerretDB refuses TTL indexes (docs/ARCHITECTURE.md), so expired sessions are swept by a job
    // (sessionSweepJob). Not by connect-mongo's 'interval': it deletes with w:0, and FerretDB answers
    // even such a write, leaving a stray reply on the connection (server/db/reply-order.ts).
    autoRemove: 'disabled',
    touchAfter: 15 * 60,
  } as ConstructorParameters<typeof MongoStore>[0]);
  const middleware = session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: config.TRUST_PROXY,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.NODE_ENV === 'production',
      maxAge: 30 * 24 * 3600 * 1000,
    },
  });
  return { middleware, store };
}

/** Deletes expired sessions, acknowledged (one node's sweep is enough; others find nothing). */
export const sessionSweepJob: ScheduledJob = {
  name: 'sessions.sweep',
  everyMs: 10 * 60_000,
  run: () => mongoose.connection.collection('sessions').deleteMany({ expires: { $lt: new Date() } }),
};
