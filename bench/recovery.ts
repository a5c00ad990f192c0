// Time to serve again after a crash (issue 11, item 7): writes are fired at the app, it is killed
// with SIGKILL mid-way, and a new app is started on the same data: the seconds until it serves
// are what a power cut costs the village. Beside it, a clean start, and what the full rebuild
// (`npm run repair`, which every unclean start ran before the in-flight journal) takes at the
// same volume.
import { readJournal } from '../server/store/index.ts';
import { repairEverything } from '../server/recovery.ts';
import { load, startChild, startFlags, type Child, type LoadSpec } from './lib.ts';

export interface RecoveryRow {
  volume: string;
  /** Seconds from spawn to serving, after a clean stop. */
  cleanS: number;
  /** Seconds from spawn to serving, after a kill -9 in the middle of writes. */
  afterKillS: number;
  /** What the journal held at the kill: open keys by family. */
  inFlight: Record<string, number>;
  /** Seconds the full rebuild of every derived record takes at this volume (not timed at a decade). */
  fullRepairS: number | null;
}

const seconds = (ms: number) => Number((ms / 1000).toFixed(1));

async function timedStart(env: Record<string, string>): Promise<{ app: Child; ms: number }> {
  const started = Date.now();
  const app = await startChild('server/main.ts', [], env, /site: http/, startFlags());
  return { app, ms: Date.now() - started };
}

/** Kills `app` (SIGKILL) while `writes` load it, restarts it twice (after the kill, after a clean stop), then times the full rebuild. */
export async function crashAndRestart(volume: string, env: Record<string, string>, app: Child, writes: LoadSpec[]): Promise<RecoveryRow> {
  const loads = writes.map((spec) => load(spec, { connections: 16, duration: 4 }).catch(() => null));
  await new Promise((r) => setTimeout(r, 2000));
  const exited = new Promise((r) => app.proc.once('exit', r));
  app.proc.kill('SIGKILL');
  await exited;
  await Promise.all(loads);
  const inFlight = Object.fromEntries([...(readJournal(env.DATA_DIR!) ?? [])].map(([family, keys]) => [family, keys.length]));
  const afterKill = await timedStart(env);
  await afterKill.app.stop();
  const clean = await timedStart(env);
  await clean.app.stop();
  // Not at a decade: it reads every ledger entry once per workshop (over 50 minutes here, 2026-12-01).
  if (volume === 'decade') return { volume, cleanS: seconds(clean.ms), afterKillS: seconds(afterKill.ms), inFlight, fullRepairS: null };
  const started = Date.now();
  await repairEverything();
  return { volume, cleanS: seconds(clean.ms), afterKillS: seconds(afterKill.ms), inFlight, fullRepairS: seconds(Date.now() - started) };
}

/** The printout's section: each volume's figures, decade ÷ demo, and the target (under 30 s at decade). */
export function recoveryLines(rows: RecoveryRow[]): string[] {
  if (!rows.length) return [];
  const lines = [
    'time to serve again (s): clean start · after kill -9 mid-writes (keys in flight) · full rebuild of every derived record (what every unclean start ran before)',
  ];
  for (const r of rows)
    lines.push(
      `  ${r.volume.padEnd(10)} ${String(r.cleanS).padStart(6)} ${String(r.afterKillS).padStart(8)}  ${JSON.stringify(r.inFlight).padEnd(40)} ${String(r.fullRepairS ?? 'not timed').padStart(9)}`,
    );
  const [demo, decade] = [rows.find((r) => r.volume === 'demo'), rows.find((r) => r.volume === 'decade')];
  if (demo && decade) {
    lines.push(`  decade ÷ demo: after kill -9 ${(decade.afterKillS / demo.afterKillS).toFixed(2)}×`);
  }
  if (decade) lines.push(`  target: time to serve after kill -9 at decade < 30 s: ${decade.afterKillS} s ${decade.afterKillS < 30 ? 'met' : 'MISSED'}`);
  return lines;
}
