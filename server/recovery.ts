import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { repairEnrolments } from './courses/service/repairs.ts';
import { repairPostings, repairSlots } from './gigs/service/slots.ts';
import { rebuildPayRecords } from './arrears/record.ts';
import { rebuildSummaries, hasDirtySummaries, recoverEntries, repairDirtySummaries } from './workshops/summaries.ts';
import { rebuildRoster } from './workshops/roster.ts';
import { readJournal, startJournal, stopJournal, type JournalFamily, type OpenKey } from './store/index.ts';
import { rebuildListings } from './gigs/service/listings.ts';

// After an unclean stop (kill -9, power cut) a derived record (a posting's count, a course's
// roll, a workshop's summaries, an employer's pay record) may be one write behind its documents,
// but only for the keys that were being written: the in-flight journal (store/journal.ts) names
// them, and only they are repaired before serving. So the time to serve again after a crash
// depends on what was in flight, not on years of data. The full rebuild stays for a start
// that finds no journal (a run of an older version, or a journal that could not be written),
// for restores, and as `npm run repair`.

/** A file that exists while the app runs: finding it at start means the last run did not shut down cleanly. */
function markerPath(dataDir: string): string {
  return path.resolve(dataDir, 'app.running');
}

const keys = (open: OpenKey[]) => open.map((k) => k.key);

/**
 * The repair of each journal family, given only its keys that were in flight. `byMarker`: the
 * entries' summaries can be checked by the entry they name last (one node; see recoverEntries).
 */
const inFlightRepairs: Record<JournalFamily, (open: OpenKey[], byMarker: boolean) => Promise<unknown>> = {
  posting: (open) => repairPostings(keys(open)),
  course: (open) => repairEnrolments(0, new Date(), keys(open)),
  roster: async (open) => {
    for (const id of keys(open)) await rebuildRoster(id);
    return open.length;
  },
  arrears: (open) => rebuildPayRecords(keys(open)),
  'ledger-entry': (open, byMarker) => recoverEntries(open, byMarker),
  workshop: async (open) => {
    for (const id of keys(open)) await rebuildSummaries(id);
    return open.length;
  },
};

/** Every derived record rebuilt from its documents (reads whole collections): `npm run repair`, restores, and a start without a journal. */
export async function repairEverything() {
  return {
    slots: await repairSlots(),
    seats: await repairEnrolments(),
    summaries: await rebuildSummaries(),
    payRecords: await rebuildPayRecords(),
    listings: await rebuildListings(),
  };
}

/**
 * Repairs what the last run left half-written, then starts this run's journal. Returns what it
 * did: nothing (a clean stop, or nothing in flight), the keys in flight, or everything.
 */
export async function recoverIfUnclean(dataDir: string, logger: Logger, opts: { severalNodes: boolean }): Promise<'clean' | 'in-flight' | 'full'> {
  const marker = markerPath(dataDir);
  const unclean = fs.existsSync(marker);
  const open = readJournal(dataDir);
  const started = Date.now();
  let done: 'clean' | 'in-flight' | 'full' = 'clean';
  if (open?.size) {
    const repaired: Record<string, unknown> = {};
    for (const [family, list] of open) repaired[family] = { keys: list.length, result: await inFlightRepairs[family](list, !opts.severalNodes) };
    logger.warn({ repaired, ms: Date.now() - started }, 'repaired the records in flight at an unclean shutdown');
    done = 'in-flight';
  } else if (unclean && !open) {
    logger.warn({ repaired: await repairEverything(), ms: Date.now() - started }, 'repaired every derived record after an unclean shutdown without a journal');
    done = 'full';
  }
  // Only now: a crash during the repair finds the old journal again and repeats it.
  startJournal(dataDir);
  fs.writeFileSync(marker, String(process.pid));
  return done;
}

/** Clean only if nothing is left to repair; otherwise the next start repairs it. */
export async function markCleanShutdown(dataDir: string): Promise<void> {
  if (hasDirtySummaries()) await repairDirtySummaries().catch(() => {});
  const journalClean = await stopJournal();
  if (journalClean && !hasDirtySummaries()) fs.rmSync(markerPath(dataDir), { force: true });
}
