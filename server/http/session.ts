import session from 'express-session';
import MongoStore from 'connect-mongo';
import mongoose from 'mongoose';
import type { Config } from '../config.ts';

export const SESSION_COOKIE = 'doorstep.sid';

export function sessionMiddleware(config: Config, secret: string) {
  const store = MongoStore.create({
    // connect-mongo bundles its own copy of the driver types; the client is the same at runtime.
    client: mongoose.connection.getClient() as unknown as Parameters<typeof MongoStore.create>[0]['client'],
    collectionName: 'sessions',
    stringify: false,
    // FerretDB refuses TTL indexes (DESIGN.md), so expired sessions are swept on a timer.
    autoRemove: 'interval',
    autoRemoveInterval: 10,
    touchAfter: 15 * 60,
  });
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
