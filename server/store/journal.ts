import fs from 'node:fs';
import path from 'node:path';
import { storeLog } from './log.ts';
import { isRefusal } from '../lib/refusal.ts';

// The in-flight journal: which keys were being written when the app stopped. A crash (kill -9,
// power cut) can leave a derived record one write behind its documents, but only for the keys
// that were being written at that moment; the next start repairs those keys and nothing else,
// so the time to serve again does not grow with the years of data (recovery.ts).
//
// A file of lines `+<family> <key>` (a write to the key began), `-<family> <key>` (all its
// writes ended) and `!<family> <key>` (one failed: its records may be off even though later
// writes succeeded). A key is entered when its first write begins and left when its last one
// ends, so a busy key costs one line pair per burst, not per write. A `+` (and a `!`) is on
// disk (fdatasync) before the write it announces goes out, several waiting ones sharing one
// sync; a `-` rides along with the next sync, and a lost trailing `-` only repairs a key that
// needed nothing.

/** What a key is the key of; recovery.ts declares the repair of each. */
export type JournalFamily = 'posting' | 'course' | 'roster' | 'arrears' | 'ledger-entry' | 'workshop';

/** A key left open by the last run: in flight when it stopped, or `failed` (a write to it failed). */
export interface OpenKey {
  key: string;
  failed: boolean;
}

const FILE = 'in-flight.journal';
/** Past this size the file is rewritten with just the open keys. */
const COMPACT_BYTES = 1 << 20;

interface Line {
  text: string;
  sync: boolean;
  done: () => void;
}

class JournalFile {
  private fd: number;
  private size = 0;
  private queue: Line[] = [];
  private draining = false;
  private writing: Promise<void> = Promise.resolve();
  /** Set when a write to the file failed: the journal no longer says everything, so it is kept for the full repair. */
  broken = false;
  /** Closed at shutdown: a write still ending after it leaves its key open in the file, for the next start. */
  private closed = false;

  private readonly file: string;
  private readonly openLines: () => string[];

  constructor(file: string, openLines: () => string[]) {
    this.file = file;
    this.openLines = openLines;
    this.fd = fs.openSync(file, 'w');
  }

  /** Appends a line; resolves once it is written (and, with `sync`, on disk). */
  append(text: string, sync: boolean): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ text, sync, done });
      if (this.draining) return;
      this.draining = true;
      this.writing = this.drain();
    });
  }

  // `draining` is cleared in the same synchronous step as the loop finds the queue empty (no await
  // between them), so a line appended at any moment is either seen by this loop or starts a new one.
  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0);
        if (!this.broken && !this.closed) await this.writeBatch(batch);
        for (const l of batch) l.done();
      }
    } finally {
      this.draining = false;
    }
  }

  private async writeBatch(batch: Line[]): Promise<void> {
    const data = batch.map((l) => `${l.text}\n`).join('');
    try {
      await write(this.fd, data);
      this.size += data.length;
      if (batch.some((l) => l.sync)) await new Promise<void>((ok, fail) => fs.fdatasync(this.fd, (err) => (err ? fail(err) : ok())));
      if (this.size > COMPACT_BYTES) this.compact();
    } catch (err) {
      // A journal that cannot be written only costs a longer repair (recovery.ts).
      storeLog().warn({ err }, 'the in-flight journal could not be written: the next unclean start repairs everything');
      this.broken = true;
      fs.rmSync(this.file, { force: true }); // no journal at all (with the running marker) asks for the full repair
    }
  }

  /** Rewrites the file with only the keys open now (a new file renamed over the old: never half a journal). */
  private compact(): void {
    const tmp = `${this.file}.new`;
    const text = this.openLines().join('');
    fs.writeFileSync(tmp, text);
    const fd = fs.openSync(tmp, 'a');
    fs.fdatasyncSync(fd);
    fs.renameSync(tmp, this.file);
    fs.closeSync(this.fd);
    this.fd = fd;
    this.size = text.length;
  }

  /** Resolves once every line appended so far is written. */
  async settled(): Promise<void> {
    while (this.draining) await this.writing;
  }

  async close(remove: boolean): Promise<void> {
    await this.settled();
    this.closed = true;
    fs.closeSync(this.fd);
    if (remove) fs.rmSync(this.file, { force: true });
  }
}

function write(fd: number, data: string): Promise<void> {
  return new Promise((ok, fail) => fs.write(fd, data, null, 'utf8', (err) => (err ? fail(err) : ok())));
}

let file: JournalFile | undefined;
/** Keys with writes in flight (how many; `ready` once their `+` is on disk) or a failed write, by `<family> <key>`. */
const open = new Map<string, { writes: number; failed: boolean; ready: Promise<void> }>();

const parse = (entry: string) => {
  const space = entry.indexOf(' ');
  return { family: entry.slice(0, space) as JournalFamily, key: entry.slice(space + 1) };
};

/** Reads what the last run left open in `dataDir`'s journal; null when it left no journal. */
export function readJournal(dataDir: string): Map<JournalFamily, OpenKey[]> | null {
  const p = path.resolve(dataDir, FILE);
  if (!fs.existsSync(p)) return null;
  const state = new Map<string, boolean>(); // entry -> failed
  for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
    const mark = line[0];
    const entry = line.slice(1);
    if (mark === '+') state.set(entry, state.get(entry) ?? false);
    else if (mark === '!') state.set(entry, true);
    else if (mark === '-' && state.get(entry) === false) state.delete(entry);
  }
  const out = new Map<JournalFamily, OpenKey[]>();
  for (const [entry, failed] of state) {
    const { family, key } = parse(entry);
    out.set(family, [...(out.get(family) ?? []), { key, failed }]);
  }
  return out;
}

/** Starts a fresh journal in `dataDir` (after the last one's keys were repaired): from now on writes are recorded. */
export function startJournal(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  open.clear();
  file = new JournalFile(path.resolve(dataDir, FILE), () => [...open].map(([entry, s]) => (s.failed ? `+${entry}\n!${entry}\n` : `+${entry}\n`)));
}

/** Resolves once every line recorded so far is in the file (the closing lines are written without waiting). */
export async function journalWritten(): Promise<void> {
  await file?.settled();
}

/**
 * Stops recording. Returns false when a key is still open (a write to it failed), and then
 * keeps the file, so the next start repairs that key.
 */
export async function stopJournal(): Promise<boolean> {
  if (!file) return true;
  const clean = !file.broken && [...open.values()].every((s) => !s.failed && s.writes === 0);
  await file.close(clean);
  file = undefined;
  open.clear();
  return clean;
}

/**
 * Runs `task`, a write to `family`'s `key`, with the key recorded as in flight until it and
 * every other write to the key have ended. Without a started journal (tests, commands) it
 * only runs the task.
 */
export async function inFlight<T>(family: JournalFamily, key: string, task: () => Promise<T>): Promise<T> {
  const j = file;
  if (!j) return task();
  const entry = `${family} ${key}`;
  let s = open.get(entry);
  if (!s) open.set(entry, (s = { writes: 0, failed: false, ready: j.append(`+${entry}`, true) }));
  s.writes += 1;
  try {
    await s.ready; // a second write to the key waits for the first one's line too
    return await task();
  } catch (err) {
    // A refusal (full, already enrolled, a stale form) is an answer, not a write that failed half-way.
    if (!s.failed && !isRefusal(err)) {
      s.failed = true;
      await j.append(`!${entry}`, true);
    }
    throw err;
  } finally {
    s.writes -= 1;
    // A failed key stays open until the next start has repaired it.
    if (s.writes === 0 && !s.failed) {
      open.delete(entry);
      void j.append(`-${entry}`, false);
    }
  }
}
