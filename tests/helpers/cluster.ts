import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import { findExecutable, freePort } from '../../server/db/engine.ts';

export { freePort };
import { TEST_SECRET } from './app.ts';

const NODE = process.execPath;

/** The URI of the database the tests run on (the same engine the app nodes will use). */
export function testDatabaseUri(): string {
  const c = mongoose.connection;
  return `mongodb://${c.host}:${c.port}/${c.name}`;
}

export interface AppNode {
  url: string;
  child: ChildProcess;
  /** What the node has printed so far (stdout and stderr). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `server/main.ts` as its own process against the test database. */
export async function startAppNode(env: Record<string, string> = {}): Promise<AppNode> {
  const port = await freePort();
  const child = spawn(NODE, [path.resolve('server/main.ts')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGODB_URI: testDatabaseUri(),
      SESSION_SECRET: TEST_SECRET,
      SEED_ON_EMPTY: '0',
      LOG_LEVEL: 'warn',
      LOGIN_RATE_LIMIT: '10000',
      REGISTER_RATE_LIMIT: '10000',
      UPLOAD_RATE_LIMIT: '10000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000; // a node starts in seconds, but a loaded 2-core CI machine can take far longer
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app node exited early:\n${output}`);
    if (/site: http/.test(output)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!/site: http/.test(output)) {
    child.kill('SIGKILL');
    throw new Error(`app node did not start:\n${output}`);
  }
  return {
    url,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

export const REDIS_SERVER = findExecutable('redis-server');

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(REDIS_SERVER!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
