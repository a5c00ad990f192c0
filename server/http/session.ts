import session from 'express-session';
import mongoose from 'mongoose';
import type { Config } from '../config.ts';
import type { ScheduledJob } from '../scheduler.ts';
import { sessionStore } from '../store/index.ts';

export const SESSION_COOKIE = 'doorstep.sid';

export function sessionMiddleware(config: Config, secret: string) {
  const store = sessionStore({
    client: mongoose.connection.getClient(),
    // Several nodes (REDIS_URL) share sessions through the database alone (server/store/sessions.ts).
    remember: !config.REDIS_URL,
    touchAfterSeconds: 15 * 60,
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

/** Deletes expired sessions, acknowledged (one node's sweep is enough; others find nothing). */
export const sessionSweepJob: ScheduledJob = {
  name: 'sessions.sweep',
  everyMs: 10 * 60_000,
  run: () => mongoose.connection.collection('sessions').deleteMany({ expires: { $lt: new Date() } }),
};
