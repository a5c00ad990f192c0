import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../server/config.ts';
import { createApp } from '../../server/app.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';

/** A fresh app on the shared test database; rate limits are lifted unless a test sets them. */
export function makeApp(env: Record<string, string> = {}): { app: Express; config: Config } {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    LOGIN_RATE_LIMIT: '10000',
    LOGIN_ACCOUNT_LIMIT: '10000',
    REGISTER_RATE_LIMIT: '10000',
    UPLOAD_RATE_LIMIT: '10000',
    SESSION_SECRET: TEST_SECRET,
    // "Back up now" (posted by the route tests) must not write into the developer's data/.
    BACKUP_DIR: path.join(os.tmpdir(), `doorstep-test-backups-${process.pid}`),
    ...env,
  });
  // TEST_LOG_LEVEL=error shows what a 500 in a test was about.
  const { app } = createApp({ config, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), sessionSecret: TEST_SECRET });
  return { app, config };
}

let shared: Express | undefined;
export function app(): Express {
  shared ??= makeApp().app;
  return shared;
}

export type Agent = ReturnType<typeof request.agent>;

export function agent(a: Express = app()): Agent {
  return request.agent(a);
}

/** The CSRF token from a page's first form. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(m, 'page has a CSRF field');
  return m[1]!;
}

/** GETs `page` (to get a token and the CSRF cookie), then POSTs the form to `action`. */
export async function submit(ag: Agent, page: string, action: string, fields: Record<string, string | string[]>) {
  const res = await ag.get(page);
  assert.ok(res.status < 400, `GET ${page} → ${res.status}`);
  return ag
    .post(action)
    .type('form')
    .send({ ...fields, _csrf: csrfFrom(res.text) });
}

export const DEMO_PASSWORD = 'doorstep-demo';

export async function login(ag: Agent, phone: string, password = DEMO_PASSWORD) {
  const res = await submit(ag, '/login', '/login', { phone, password });
  assert.equal(res.status, 302, `login as ${phone} failed with ${res.status}`);
  return res;
}

export async function loggedIn(phone: string, a?: Express): Promise<Agent> {
  const ag = agent(a);
  await login(ag, phone);
  return ag;
}
