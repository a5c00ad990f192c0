// `npm run backup [-- --dir DIR]` and `npm run restore -- FILE [--replace]`.
// The database: MONGODB_URI when set; else the running site's embedded engine (found through
// DATA_DIR/db/engine.uri, so the site keeps running); else the embedded engine is started here.
import path from 'node:path';
import mongoose from 'mongoose';
import { loadConfig, ConfigError, type Config } from '../config.ts';
import { startDatabase, describeEngine } from '../db/start.ts';
import { runningEngineUri } from '../db/engine.ts';
import { openConnection } from '../db/connection.ts';
import { backupSettings, runBackup } from './service.ts';
import { restoreBackup, NotEmptyError, BackupInvalidError } from './restore.ts';
import '../app.ts'; // registers every model: restore builds their indexes and repairs from them

const say = (m: string) => process.stdout.write(`[doorstep] ${m}\n`);
const fail = (m: string) => {
  process.stderr.write(`[doorstep] ${m}\n`);
  process.exitCode = 1;
};

const USAGE = `usage:
  npm run backup                        write a backup into BACKUP_DIR (default DATA_DIR/backups)
  npm run backup -- --dir /media/usb    write it into another directory (no old ones are deleted there)
  npm run restore -- FILE               restore FILE into an empty database
  npm run restore -- FILE --replace     delete what the database holds, then restore FILE
Set MONGODB_URI to work on a MongoDB instead of the embedded engine.`;

interface Db {
  uri: string;
  site: boolean;
  stop: () => Promise<void>;
}

async function openDatabase(config: Config): Promise<Db> {
  if (config.MONGODB_URI) {
    say(`database: ${config.MONGODB_URI.replace(/\/\/[^@/]*@/, '//***@')}`);
    return { uri: config.MONGODB_URI, site: false, stop: async () => {} };
  }
  const running = await runningEngineUri(config.DATA_DIR);
  if (running) {
    say(`database: the running site's engine at ${running} (data in ${path.resolve(config.DATA_DIR, 'db')})`);
    return { uri: running, site: true, stop: async () => {} };
  }
  const engine = await startDatabase(config, say);
  say(describeEngine(engine));
  return { uri: engine.uri, site: false, stop: () => engine.stop() };
}

function kb(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

async function backup(config: Config, args: string[]): Promise<void> {
  const i = args.indexOf('--dir');
  const settings = backupSettings(config);
  if (i >= 0) {
    if (!args[i + 1]) return fail(USAGE);
    settings.dir = path.resolve(args[i + 1]!);
  }
  const written = await runBackup(settings, { trigger: 'cli', prune: i < 0 });
  const m = written.manifest;
  for (const c of m.collections) say(`  ${c.name.padEnd(24)} ${c.count}`);
  say(`backup written: ${written.file}`);
  say(`${m.documents} documents, ${kb(written.size)}, ${(written.ms / 1000).toFixed(1)} s`);
}

async function restore(args: string[], db: Db): Promise<void> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) return fail(USAGE);
  if (db.site) {
    return fail('the site is running on this database: stop it first (Ctrl-C where `npm start` runs), then restore');
  }
  const done = await restoreBackup(path.resolve(file), { replace: args.includes('--replace'), log: say });
  say(`restored ${done.manifest.documents} documents taken ${done.manifest.createdAt} in ${(done.ms / 1000).toFixed(1)} s`);
  say(
    `derived counts rebuilt: ${done.repaired.summaries} workshop summaries; slots ${JSON.stringify(done.repaired.slots)}; seats ${JSON.stringify(done.repaired.seats)}`,
  );
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'backup' && command !== 'restore') return fail(USAGE);
  if (args.includes('--help') || args.includes('-h')) {
    say(USAGE);
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  const db = await openDatabase(config);
  try {
    await openConnection(db.uri);
    if (command === 'backup') await backup(config, args);
    else await restore(args, db);
  } catch (err) {
    if (err instanceof BackupInvalidError) fail(`refused: ${err.message}. Nothing was changed.`);
    else if (err instanceof NotEmptyError) fail(`refused: ${err.message}. Nothing was changed.`);
    else fail(`${command} failed: ${(err as Error).stack ?? String(err)}`);
  } finally {
    await mongoose.disconnect().catch(() => {});
    await db.stop();
  }
}

await main();
