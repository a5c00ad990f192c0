import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { repairEnrolments } from './courses/service/repairs.ts';
import { repairSlots } from './gigs/service/slots.ts';
import { rebuildPayRecords } from './arrears/record.ts';
import { rebuildSummaries, hasDirtySummaries, repairDirtySummaries } from './workshops/summaries.ts';

// A file that exists while the app runs: finding it at start means the last run did not shut
// down cleanly (kill -9, power cut), so derived data may be one write behind its documents.
function markerPath(dataDir: string): string {
  return path.resolve(dataDir, 'app.running');
}

export async function recoverIfUnclean(dataDir: string, logger: Logger): Promise<boolean> {
  const marker = markerPath(dataDir);
  const unclean = fs.existsSync(marker);
  if (unclean) {
    const started = Date.now();
    const slots = await repairSlots();
    const seats = await repairEnrolments();
    const summaries = await rebuildSummaries();
    const payRecords = await rebuildPayRecords();
    logger.warn({ slots, seats, summaries, payRecords, ms: Date.now() - started }, 'recovered after an unclean shutdown');
  }
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  fs.writeFileSync(marker, String(process.pid));
  return unclean;
}

/** Clean only if nothing is left to repair; otherwise the next start repairs it. */
export async function markCleanShutdown(dataDir: string): Promise<void> {
  if (hasDirtySummaries()) await repairDirtySummaries().catch(() => {});
  if (!hasDirtySummaries()) fs.rmSync(markerPath(dataDir), { force: true });
}
