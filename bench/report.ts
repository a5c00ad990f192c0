// The benchmark's printout: every row, then each page and write path at demo, town-year and
// decade with the growth ratio decade ÷ demo (issue 11: costs that do not grow with the years),
// then the targets; the rows are also written to bench/results/<time>.json.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.ts';
import { recoveryLines, type RecoveryRow } from './recovery.ts';

export interface Row {
  volume: string;
  target: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  failures: Record<string, number>;
  ratio: number | null;
  /** The app's largest resident set while this target ran, in MB. */
  appMb?: number | null;
}

export type Memory = Record<string, { appMb: number | null; dbMb: number | null }>;

export interface RunInfo {
  engine: string;
  connections: number;
  duration: number;
  rounds: number;
}

const GROWN = ['town-year', 'decade'] as const;
/** Pages whose decade figure must stay within half the reference page of the same run. */
const PAGES = ['gigs list', 'gigs search', 'courses', 'lobby board', 'worker earnings'];
const WRITES = ['enrol (POST)', 'log piece-work (POST)'];

const pad = (s: string | number, n: number) => String(s).padStart(n);
const times = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '' : x === Infinity ? '∞' : `${x.toFixed(2)}×`);
/** p99 at decade ÷ p99 at demo; a run in which nothing completed (0 req/s) has no p99 worth the name. */
const p99Growth = (d: Row | undefined, c: Row | undefined) => (d?.p99 && c ? (c.rps ? c.p99 / d.p99 : Infinity) : null);

function rowsTable(rows: Row[], demo: Map<string, Row>): string[] {
  const lines = [
    `${'volume'.padEnd(12)}${'target'.padEnd(24)}${pad('req/s', 8)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('errors', 8)}${pad('× ref', 8)}${pad('vs demo', 9)}${pad('app MB', 8)}`,
  ];
  for (const r of rows) {
    const base = (GROWN as readonly string[]).includes(r.volume) ? demo.get(r.target) : undefined;
    const change = base?.rps ? `${Math.round(((r.rps - base.rps) / base.rps) * 100)}%` : '';
    lines.push(
      `${r.volume.padEnd(12)}${r.target.padEnd(24)}${pad(r.rps, 8)}${pad(r.p50, 8)}${pad(r.p99, 8)}${pad(r.errors, 8)}${pad(r.ratio === null ? '' : r.ratio.toFixed(2), 8)}${pad(change, 9)}${pad(r.appMb ?? '', 8)}`,
    );
  }
  return lines;
}

/** Each target's req/s and p99 at the three volumes, and decade ÷ demo. */
function growthTable(rows: Row[]): string[] {
  const at = (volume: string, target: string) => rows.find((r) => r.volume === volume && r.target === target);
  const targets = [...new Set(rows.filter((r) => r.volume === 'demo' && r.target !== 'gigs (npm start)').map((r) => r.target))];
  const lines = [
    'growth with the years (req/s, then p99 ms):',
    `${'target'.padEnd(24)}${pad('demo', 8)}${pad('town-yr', 8)}${pad('decade', 8)}${pad('dec÷demo', 10)}${pad('p99 demo', 10)}${pad('p99 dec', 9)}${pad('dec÷demo', 10)}`,
  ];
  for (const t of targets) {
    const [d, y, c] = [at('demo', t), at('town-year', t), at('decade', t)];
    const rps = d?.rps && c ? c.rps / d.rps : null;
    const p99 = p99Growth(d, c);
    lines.push(
      `${t.padEnd(24)}${pad(d?.rps ?? '', 8)}${pad(y?.rps ?? '', 8)}${pad(c?.rps ?? '', 8)}${pad(times(rps), 10)}${pad(d?.p99 ?? '', 10)}${pad(c?.p99 ?? '', 9)}${pad(times(p99), 10)}`,
    );
  }
  return lines;
}

function targetLines(rows: Row[], memory: Memory): string[] {
  const at = (volume: string, target: string) => rows.find((x) => x.target === target && x.volume === volume);
  const verdict = (ok: boolean | null) => (ok === null ? '?' : ok ? 'met' : 'MISSED');
  const lines = ['targets:'];
  const fixed = [
    ['gigs list', 'demo', 0.5],
    ['gigs search', 'demo', 0.5],
    ['courses', 'demo', 0.5],
    ['gigs list', 'town-year', 0.25],
    ['gigs search', 'town-year', 0.25],
    ['courses', 'town-year', 0.25],
    ['worker earnings', 'town-year', 0.25],
    ...PAGES.map((t) => [t, 'decade', 0.5] as const),
  ] as const;
  for (const [t, v, min] of fixed) {
    const r = at(v, t);
    lines.push(`  ${t} at ${v} ≥ ${min}× reference: ${r?.ratio ?? '?'} ${verdict(r && r.ratio !== null ? r.ratio >= min : null)}`);
  }
  for (const t of WRITES) {
    const [d, c] = [at('demo', t), at('decade', t)];
    const g = d?.rps && c ? c.rps / d.rps : null;
    lines.push(`  ${t} at decade ≥ 0.67× its demo req/s: ${times(g) || '?'} ${verdict(g === null ? null : g >= 0.67)}`);
  }
  for (const t of [...PAGES, ...WRITES]) {
    const [d, c] = [at('demo', t), at('decade', t)];
    const g = p99Growth(d, c);
    lines.push(`  ${t} p99 at decade ≤ 2× p99 at demo: ${times(g) || '?'} ${verdict(g === null ? null : g <= 2)}`);
  }
  const npmStart = at('demo', 'gigs (npm start)');
  const slower = npmStart?.ratio ? 1 / npmStart.ratio : null;
  lines.push(
    `  npm start serves /gigs within 1.3× of production (× ref column is npm start ÷ production): ${slower?.toFixed(2) ?? '?'}× ${verdict(slower === null ? null : slower <= 1.3)}`,
  );
  const failed = rows.filter((r) => r.errors);
  lines.push(
    `  zero errors: ${failed.length === 0 ? 'met' : `MISSED: ${failed.map((r) => `${r.volume} ${r.target} ${JSON.stringify(r.failures)}`).join('; ')}`}`,
  );
  const peak = Math.max(...Object.values(memory).map((m) => m.appMb ?? 0));
  lines.push(`  app RSS ≤ 300 MB (every volume, the decade included): ${peak} MB ${verdict(peak <= 300)}`);
  return lines;
}

/** Prints the figures and writes them to bench/results/; returns the file written. */
export function report(
  rows: Row[],
  memory: Memory,
  run: RunInfo,
  recovery: RecoveryRow[] = [],
  out: (s: string) => void = (s) => process.stdout.write(s),
): string {
  const demo = new Map(rows.filter((r) => r.volume === 'demo').map((r) => [r.target, r]));
  const lines = [
    `engine: ${run.engine}; ${run.connections} connections, ${run.duration} s per run, median of ${run.rounds} interleaved rounds`,
    '',
    ...rowsTable(rows, demo),
  ];
  lines.push('', ...growthTable(rows));
  lines.push('', 'peak RSS (MB):');
  for (const [v, m] of Object.entries(memory)) lines.push(`  ${v}: app ${m.appMb ?? '?'}, database ${m.dbMb ?? '?'}`);
  lines.push('', ...recoveryLines(recovery));
  lines.push('', ...targetLines(rows, memory));
  out(`\n${lines.join('\n')}\n`);
  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), ...run, rows, memory, recovery }, null, 2));
  out(`\nwritten to ${path.relative(ROOT, file)}\n`);
  return file;
}
