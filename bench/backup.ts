// `node bench/backup.ts`: backup and restore at town-year volume (issue 16). Loads the demo and
// a town's year into a throw-away engine, then writes a backup while piece-work is logged (and
// reports the slowest of those writes: the dump must not hold them up), checks it, wipes the
// database and restores it. MONGODB_URI runs it against a MongoDB instead.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startEngine, defaultCacheDir } from '../server/db/engine.ts';
import { connectDatabase, ensureIndexes } from '../server/db/connection.ts';
import { invalidateCenters } from '../server/centers/tree.ts';
import { dayKey } from '../server/lib/format.ts';
import { sessionUser } from '../server/accounts/service.ts';
import { logEntry } from '../server/workshops/ledger.ts';
import { Task } from '../models/task.ts';
import { writeBackup } from '../server/backup/dump.ts';
import { verifyBackup } from '../server/backup/format.ts';
import { restoreBackup } from '../server/backup/restore.ts';
import { generateDemo, generateTownYear } from './generate.ts';
import '../server/app.ts';

const say = (m: string) => process.stdout.write(`[bench:backup] ${m}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const engine = await startEngine({
  mongodbUri: process.env.MONGODB_URI,
  dataDir: 'unused',
  ephemeral: true,
  cacheDir: defaultCacheDir(),
  dbName: 'doorstep_bench_backup',
  log: say,
});
say(`database: ${engine.kind}`);
const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'doorstep-bench-backup-'));
try {
  await connectDatabase(engine.uri);
  await mongoose.connection.dropDatabase();
  await ensureIndexes();
  invalidateCenters();
  const ctx = await generateDemo();
  let t = Date.now();
  const focus = await generateTownYear(ctx, say);
  say(`town-year generated in ${secs(Date.now() - t)}`);

  // Piece-work logged one entry after another while the dump runs: the latency of each.
  const staff = (await sessionUser(ctx.users.miaoxiStaff!))!;
  const task = (await Task.findOne({ workshop: focus.workshop }).lean())!;
  const latencies: number[] = [];
  let stop = false;
  const writer = (async () => {
    while (!stop) {
      const s = Date.now();
      await logEntry(staff, focus.workshop, {
        workerId: focus.worker,
        taskId: String(task._id),
        counted: 2,
        rejected: 0,
        date: dayKey(),
        note: '',
        idempotencyKey: `bench-${s}-${latencies.length}`,
      }).catch((e: unknown) => say(`write failed: ${(e as Error).message}`));
      latencies.push(Date.now() - s);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const file = path.join(dir, 'town-year.ndjson.gz');
  t = Date.now();
  const written = await writeBackup(mongoose.connection.db!, file, (m) => say(`  ${m} (at ${secs(Date.now() - t)})`));
  stop = true;
  await writer;
  latencies.sort((a, b) => a - b);
  say(
    `backup: ${written.manifest.documents} documents, ${(written.size / (1 << 20)).toFixed(1)} MB, ${secs(written.ms)}; peak RSS ${Math.round(process.memoryUsage().rss / (1 << 20))} MB`,
  );
  say(`piece-work logged during it: ${latencies.length} entries, median ${latencies[latencies.length >> 1]} ms, slowest ${latencies.at(-1)} ms`);
  t = Date.now();
  await verifyBackup(file);
  say(`verify: ${secs(Date.now() - t)}`);
  await mongoose.connection.dropDatabase();
  const restored = await restoreBackup(file, { log: say });
  say(`restore (with index builds and summary rebuild): ${secs(restored.ms)}`);
} finally {
  await mongoose.disconnect();
  await engine.stop();
  await fsp.rm(dir, { recursive: true, force: true });
}
