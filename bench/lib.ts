// Shared pieces of the benchmark: child servers, peak memory, load runs, medians.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../server/db/engine.ts';

export { freePort };

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const running = new Set<ChildProcess>();
// However the benchmark ends, its servers end with it.
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

export interface Child {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The Node flags `npm start` runs the app with (package.json), so the benchmark measures the
 * app as it is started: the heap limits there are what keep its memory within bounds.
 */
export function startFlags(): string[] {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  return [...start.split(/\s+/).filter((w) => w.startsWith('--')), ...extra];
}

/** Starts a Node child that prints `ready` (a regexp) when it listens. */
export async function startChild(script: string, args: string[], env: Record<string, string>, ready: RegExp, nodeFlags: string[] = []): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...nodeFlags, path.join(ROOT, script), ...args], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  if (process.env.BENCH_APP_LOG) {
    proc.stdout!.on('data', (b: Buffer) => fs.appendFileSync(process.env.BENCH_APP_LOG!, b));
    proc.stderr!.on('data', (b: Buffer) => fs.appendFileSync(process.env.BENCH_APP_LOG!, b));
  }
  // Generous: right after generating a decade the first start has been seen to take over a
  // minute (cause not found; 0.3 s on a town-year database), and an abort there loses the run.
  const deadline = Date.now() + 5 * 60_000;
  while (!ready.test(out)) {
    if (proc.exitCode !== null) throw new Error(`${script} exited:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${script} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Peak resident set size (VmHWM) of a process, in MB. */
export function peakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Samples a process's resident set size until stopped; returns the largest sample in MB. */
export function watchRss(pid: number | undefined, everyMs = 100): () => number | null {
  let max: number | null = null;
  const sample = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) max = Math.max(max ?? 0, Math.round(Number(m[1]) / 1024));
    } catch {
      /* the process is gone */
    }
  };
  const timer = pid ? setInterval(sample, everyMs) : undefined;
  return () => {
    clearInterval(timer);
    if (pid) sample();
    return max;
  };
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Answers that count as errors, by cause: HTTP status, `socket` errors and `timeout`s. */
  failures: Record<string, number>;
  requests: number;
}

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Builds each request body (e.g. a fresh idempotency key). */
  body?: () => string;
  /** Rewrites each request (path, headers, body), e.g. a different user per request. */
  setup?: (req: { path: string; headers: Record<string, string>; method: string; body?: string }) => object;
}

export async function load(spec: LoadSpec, opts: { connections: number; duration?: number; amount?: number; timeoutS?: number }): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    connections: opts.connections,
    ...(opts.timeoutS ? { timeout: opts.timeoutS } : {}),
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration }),
    method: spec.method ?? 'GET',
    headers: spec.headers,
    requests:
      spec.body || spec.setup
        ? [
            {
              method: spec.method ?? 'POST',
              setupRequest: (req: { path: string; headers: Record<string, string>; method: string; body?: string }) =>
                spec.setup ? spec.setup(req) : { ...req, body: spec.body!() },
            },
          ]
        : undefined,
  } as autocannon.Options);
  // Redirects are the normal answer to a form POST; only 4xx/5xx and failures count.
  const failures: Record<string, number> = {};
  for (const [code, v] of Object.entries((result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {})) {
    if (Number(code) >= 400) failures[code] = v.count;
  }
  if (result.timeouts) failures.timeout = result.timeouts;
  if (result.errors - result.timeouts > 0) failures.socket = result.errors - result.timeouts;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: Object.values(failures).reduce((a, b) => a + b, 0),
    failures,
    requests: result.requests.total,
  };
}

/** Adds up failure counts by cause, e.g. `{ '400': 3 }` and `{ '400': 2, timeout: 1 }`. */
export function addFailures(runs: Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const r of runs) for (const [k, n] of Object.entries(r)) sum[k] = (sum[k] ?? 0) + n;
  return sum;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
