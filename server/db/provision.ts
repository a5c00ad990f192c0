// `npm run db:provision`: makes sure an engine is available before tests (builds FerretDB
// into the cache when there is no mongod and no cached binary). Used by .ci/run.
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { defaultCacheDir, findExecutable, locateFerretDB } from './engine.ts';
import { buildFerretDB } from './ferretdb-build.ts';

const say = (m: string) => process.stdout.write(`[provision] ${m}\n`);
const config = loadConfig();
const cacheDir = config.CACHE_DIR ? path.resolve(config.CACHE_DIR) : defaultCacheDir();

if (config.MONGODB_URI) say('MONGODB_URI is set; nothing to provision');
else if (config.MONGOD_PATH || findExecutable('mongod')) say('mongod found; nothing to provision');
else {
  const existing = locateFerretDB({ ferretdbPath: config.FERRETDB_PATH, cacheDir });
  if (existing) say(`FerretDB found at ${existing}`);
  else if (!findExecutable('go')) {
    say('no mongod, no FerretDB and no Go toolchain: tests will try mongodb-memory-server (needs a download)');
  } else {
    const started = Date.now();
    await buildFerretDB(cacheDir, say);
    say(`FerretDB ready (${Math.round((Date.now() - started) / 1000)} s)`);
  }
}
