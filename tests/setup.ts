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

let engine: Engine | undefined;
const dbName = `doorstep_test_${process.pid}`;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(15 * 60_000); // a first run may build FerretDB
    const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
    engine = await startDatabase(config, (m) => process.stdout.write(`[tests] ${m}\n`), { ephemeral: true, dbName });
    process.stdout.write(`[tests] ${describeEngine(engine)}\n`);
    const uri = engine.kind === 'external' ? withDbName(engine.uri, dbName) : engine.uri;
    await connectDatabase(uri, { monitorCommands: true }); // tests/helpers/commands.ts records them
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
