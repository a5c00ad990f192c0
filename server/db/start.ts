import path from 'node:path';
import type { Config } from '../config.ts';
import { startEngine, defaultCacheDir, type Engine } from './engine.ts';

export const DB_NAME = 'doorstep';

/** Starts (or points at) the database the config asks for, logging the choice. */
export function startDatabase(config: Config, log: (m: string) => void, opts: { ephemeral?: boolean; dbName?: string } = {}): Promise<Engine> {
  return startEngine({
    mongodbUri: config.MONGODB_URI,
    mongodPath: config.MONGOD_PATH,
    ferretdbPath: config.FERRETDB_PATH,
    dataDir: path.resolve(config.DATA_DIR),
    cacheDir: config.CACHE_DIR ? path.resolve(config.CACHE_DIR) : defaultCacheDir(),
    dbName: opts.dbName ?? DB_NAME,
    ephemeral: opts.ephemeral,
    log,
  });
}

export function describeEngine(engine: Engine): string {
  const where = engine.dataDir ? `data in ${engine.dataDir}` : 'external server';
  return `database: ${engine.kind} at ${engine.uri.replace(/\/\/[^@/]*@/, '//***@')} (${where})`;
}
