// Mocha root hooks: one throw-away database engine for the whole run, removed at the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { loadConfig } from '../server/config.ts';
import { startDatabase, describeEngine } from '../server/db/start.ts';
import type { Engine } from '../server/db/engine.ts';
import { connectDatabase } from '../server/db/connection.ts';
import '../server/app.ts';
import { trackInFlight } from './helpers/commands.ts';
import { droppedReplies } from '../server/db/reply-order.ts';

let engine: Engine | undefined;
let inFlight: ReturnType<typeof trackInFlight> | undefined;
const dbName = `doorstep_test_${process.pid}`;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(15 * 60_000); // a first run may build FerretDB
    const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
    engine = await startDatabase(config, (m) => process.stdout.write(`[tests] ${m}\n`), { ephemeral: true, dbName });
    process.stdout.write(`[tests] ${describeEngine(engine)}\n`);
    const uri = engine.kind === 'external' ? withDbName(engine.uri, dbName) : engine.uri;
    await connectDatabase(uri, { monitorCommands: true }); // tests/helpers/commands.ts records them
    inFlight = trackInFlight();
  },
  // A failed test (above all a timeout) reports what the database had not answered yet.
  afterEach(this: Mocha.Context) {
    if (this.currentTest?.state !== 'failed' || !inFlight) return;
    const waiting = inFlight.report(2_000);
    process.stdout.write(
      `      [tests] after the failure: ${waiting.length} database command(s) unanswered for 2 s or more; ${droppedReplies()} out-of-order replies dropped so far\n`,
    );
    for (const line of waiting.slice(0, 20)) process.stdout.write(`        ${line}\n`);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    if (engine?.kind === 'external') await mongoose.connection.dropDatabase().catch(() => {});
    await mongoose.disconnect();
    await engine?.stop();
    fs.rmSync(path.join(os.tmpdir(), `doorstep-test-backups-${process.pid}`), { recursive: true, force: true }); // see helpers/app.ts
  },
};

/** Tests against an external MONGODB_URI use their own database and drop it afterwards. */
function withDbName(uri: string, name: string): string {
  const u = new URL(uri);
  u.pathname = `/${name}`;
  return u.toString();
}

export function engineKind(): string {
  return engine?.kind ?? 'none';
}
