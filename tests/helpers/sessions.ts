import crypto from 'node:crypto';
import mongoose, { type Connection, type Types } from 'mongoose';
import { TEST_SECRET } from './app.ts';

export const FULL_TRIALS = process.env.TRIALS_FULL === '1';

/**
 * A logged-in session written straight into the session store, so a trial can act as hundreds
 * of residents without hundreds of password checks. Returns the signed cookie.
 */
export async function sessionCookie(userId: string, conn: Connection = mongoose.connection): Promise<string> {
  const sid = crypto.randomBytes(24).toString('base64url');
  const expires = new Date(Date.now() + 3600_000);
  await conn.db!.collection('sessions').insertOne({
    _id: sid as unknown as Types.ObjectId,
    expires,
    session: { cookie: { originalMaxAge: 3600_000, expires, httpOnly: true, path: '/', sameSite: 'lax', secure: false }, passport: { user: userId } },
  });
  const sig = crypto.createHmac('sha256', TEST_SECRET).update(sid).digest('base64').replace(/=+$/, '');
  return `doorstep.sid=${encodeURIComponent(`s:${sid}.${sig}`)}`;
}

/** A CSRF token for a logged-in cookie and the cookie header to send it with. */
export async function formAuth(get: (path: string, cookie: string) => Promise<{ text: string; setCookie: string[] }>, cookie: string, page = '/profile') {
  const res = await get(page, cookie);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
  if (!token) throw new Error(`no CSRF field on ${page}`);
  return { cookie: [cookie, ...res.setCookie.map((c) => c.split(';')[0]!)].join('; '), token };
}
