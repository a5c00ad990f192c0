// The embedded database launcher: picks the first engine that can run here
// (docs/ARCHITECTURE.md, "The database engine") and guarantees no child process outlives us.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import { buildFerretDB, FERRETDB_BINARY, FERRETDB_VERSION } from './ferretdb-build.ts';

export type EngineKind = 'external' | 'mongod' | 'ferretdb' | 'memory-server';

export interface Engine {
  kind: EngineKind;
  uri: string;
  /** Where the data lives, or undefined for an external server. */
  dataDir?: string;
  /** The child process, when we started one. */
  pid?: number;
  stop(): Promise<void>;
}

export interface EngineOptions {
  mongodbUri?: string;
  mongodPath?: string;
  ferretdbPath?: string;
  /** Data directory; with `ephemeral` a fresh temp dir is used and removed on stop. */
  dataDir: string;
  ephemeral?: boolean;
  /** Cache for the FerretDB binary; outside the repo so clean clones reuse it. */
  cacheDir: string;
  dbName: string;
  log?: (msg: string) => void;
  /** Skip engines (for tests of the fallback order). */
  skip?: EngineKind[];
  /** Override PATH lookup (for tests). */
  pathEnv?: string;
  /** Listen on this port instead of a free one (crash trials restart on the same address). */
  port?: number;
}

export class NoEngineError extends Error {}

/**
 * How FerretDB opens its SQLite files. FerretDB's own defaults (WAL, busy_timeout 10 s) are kept
 * except for three:
 * - `_txlock=immediate`: FerretDB updates read and then write inside one transaction; a deferred
 *   one that must upgrade while another writer commits fails at once with SQLITE_BUSY (seen as
 *   500s in the 200-enrolment trial) instead of waiting. Immediate transactions queue instead.
 * - `busy_timeout(30000)`: under a burst, writers wait their turn rather than fail.
 * - `synchronous(normal)`: in WAL mode a commit is not fsynced until the checkpoint. An app or
 *   database crash loses nothing (the OS holds the pages); a power cut may lose the last moments
 *   of writes but never corrupts the file: the same promise as MongoDB's default journal interval.
 */
const SQLITE_PARAMS = '_txlock=immediate&_pragma=busy_timeout(30000)&_pragma=synchronous(normal)';

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'doorstep');
}

const liveChildren = new Set<ChildProcess>();
// Last line of defence against orphans: a synchronous kill when the process exits for any reason.
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});
// Node's default on SIGINT/SIGTERM is to die without 'exit' handlers. Scripts that did not
// install their own (tests, benchmarks, tools) get the same, minus the orphaned database;
// main.ts installs a graceful handler and this one steps aside.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, function stopChildren() {
    if (process.listenerCount(signal) > 1) return;
    for (const child of liveChildren) child.kill('SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

export function findExecutable(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** A free TCP port on loopback (the engine, trials and benchmarks each start servers on one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function ping(uri: string): Promise<boolean> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
  try {
    await conn.asPromise();
    await conn.db!.admin().ping();
    return true;
  } catch {
    return false;
  } finally {
    await conn.close(true).catch(() => {});
  }
}

/** Kill an engine left behind by a crashed run that used the same data directory. */
async function reapStale(pidFile: string, log: (m: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number((await fsp.readFile(pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmdline = (await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
    if (/ferretdb|mongod/.test(cmdline) && cmdline.includes(path.dirname(pidFile))) {
      log(`stopping a database process (pid ${pid}) left over from an earlier run`);
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch {
    /* already gone */
  }
  await fsp.rm(pidFile, { force: true });
}

interface Spawned {
  child: ChildProcess;
  output: () => string;
}

function spawnChild(cmd: string, args: string[]): Spawned {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  child.on('exit', () => liveChildren.delete(child));
  const tail: string[] = [];
  const keep = (buf: Buffer) => {
    tail.push(...buf.toString().split('\n').filter(Boolean));
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => tail.join('\n') };
}

async function waitReady(uri: string, spawned: Spawned, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) {
      throw new Error(`database process exited early:\n${spawned.output()}`);
    }
    if (await ping(uri)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  spawned.child.kill('SIGKILL');
  throw new Error(`database did not become ready within ${timeoutMs} ms:\n${spawned.output()}`);
}

async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function startChildEngine(kind: 'mongod' | 'ferretdb', bin: string, dir: string, opts: EngineOptions, cleanup: () => Promise<void>): Promise<Engine> {
  const port = opts.port ?? (await freePort());
  const args =
    kind === 'mongod'
      ? ['--dbpath', dir, '--bind_ip', '127.0.0.1', '--port', String(port), '--quiet']
      : [
          '--handler=sqlite',
          `--sqlite-url=file:${dir}/?${SQLITE_PARAMS}`,
          `--state-dir=${dir}`,
          `--listen-addr=127.0.0.1:${port}`,
          '--debug-addr=-',
          '--telemetry=disable',
          '--log-level=warn',
        ];
  const pidFile = path.join(dir, 'engine.pid');
  await reapStale(pidFile, opts.log ?? (() => {}));
  const spawned = spawnChild(bin, args);
  await fsp.writeFile(pidFile, String(spawned.child.pid));
  const uri = `mongodb://127.0.0.1:${port}/${opts.dbName}`;
  try {
    await waitReady(uri, spawned);
  } catch (err) {
    await stopChild(spawned.child);
    throw err;
  }
  // Tools (`npm run backup`) find a running site's engine here instead of starting a second
  // one on the same files (which reapStale would answer by killing the site's engine).
  const uriFile = path.join(dir, ENGINE_URI_FILE);
  if (!opts.ephemeral) await fsp.writeFile(uriFile, uri);
  return {
    kind,
    uri,
    dataDir: dir,
    pid: spawned.child.pid,
    async stop() {
      await stopChild(spawned.child);
      await fsp.rm(pidFile, { force: true });
      await fsp.rm(uriFile, { force: true });
      await cleanup();
    },
  };
}

export const ENGINE_URI_FILE = 'engine.uri';

/** The address of an embedded engine already serving `<dataDir>/db` (a running site), if any. */
export async function runningEngineUri(dataDir: string): Promise<string | undefined> {
  let uri: string;
  try {
    uri = (await fsp.readFile(path.join(path.resolve(dataDir, 'db'), ENGINE_URI_FILE), 'utf8')).trim();
  } catch {
    return undefined;
  }
  return /^mongodb:\/\/127\.0\.0\.1:\d+\//.test(uri) && (await ping(uri)) ? uri : undefined;
}

export function locateFerretDB(opts: Pick<EngineOptions, 'ferretdbPath' | 'cacheDir' | 'pathEnv'>): string | undefined {
  if (opts.ferretdbPath) return opts.ferretdbPath;
  const onPath = findExecutable('ferretdb', opts.pathEnv);
  if (onPath) return onPath;
  const cached = path.join(opts.cacheDir, 'bin', FERRETDB_BINARY);
  return fs.existsSync(cached) ? cached : undefined;
}

export async function startEngine(opts: EngineOptions): Promise<Engine> {
  const log = opts.log ?? (() => {});
  const skip = new Set(opts.skip ?? []);

  if (opts.mongodbUri && !skip.has('external')) {
    return { kind: 'external', uri: opts.mongodbUri, stop: async () => {} };
  }

  const dir = opts.ephemeral ? await fsp.mkdtemp(path.join(os.tmpdir(), 'doorstep-db-')) : path.resolve(opts.dataDir, 'db');
  await fsp.mkdir(dir, { recursive: true });
  const cleanup = async () => {
    if (opts.ephemeral) await fsp.rm(dir, { recursive: true, force: true });
  };
  const failures: string[] = [];

  const mongod = skip.has('mongod') ? undefined : (opts.mongodPath ?? findExecutable('mongod', opts.pathEnv));
  if (mongod) {
    try {
      return await startChildEngine('mongod', mongod, dir, opts, cleanup);
    } catch (err) {
      failures.push(`mongod (${mongod}): ${(err as Error).message}`);
    }
  } else {
    failures.push('mongod: not found (set MONGOD_PATH or put mongod on PATH)');
  }

  if (!skip.has('ferretdb')) {
    let ferret = locateFerretDB(opts);
    const go = findExecutable('go', opts.pathEnv);
    if (!ferret && go) {
      try {
        ferret = await buildFerretDB(opts.cacheDir, log, go);
      } catch (err) {
        failures.push(`building FerretDB with ${go}: ${(err as Error).message}`);
      }
    }
    if (ferret) {
      try {
        return await startChildEngine('ferretdb', ferret, dir, opts, cleanup);
      } catch (err) {
        failures.push(`ferretdb (${ferret}): ${(err as Error).message}`);
      }
    } else if (!go) {
      failures.push('ferretdb: not found, and no Go toolchain to build it (set FERRETDB_PATH or install go)');
    }
  }

  if (!skip.has('memory-server')) {
    try {
      const { MongoMemoryServer } = await import('mongodb-memory-server-core');
      const server = await MongoMemoryServer.create({
        instance: { dbPath: dir, ip: '127.0.0.1', storageEngine: 'wiredTiger', dbName: opts.dbName },
      });
      return {
        kind: 'memory-server',
        uri: server.getUri(opts.dbName),
        dataDir: dir,
        async stop() {
          await server.stop({ doCleanup: false, force: false });
          await cleanup();
        },
      };
    } catch (err) {
      failures.push(`mongodb-memory-server (downloads mongod): ${(err as Error).message.split('\n')[0]}`);
    }
  }

  await cleanup();
  throw new NoEngineError(
    [
      'No database engine could be started. Tried, in order:',
      ...failures.map((f) => `  - ${f}`),
      'Ways out: set MONGODB_URI to a running MongoDB; install mongod; set FERRETDB_PATH to a FerretDB',
      `binary; install Go so FerretDB ${FERRETDB_VERSION} can be built; or allow downloads from fastdl.mongodb.org.`,
    ].join('\n'),
  );
}
