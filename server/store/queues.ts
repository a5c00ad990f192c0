// Per-key serialisation. FerretDB applies $inc and findAndModify by read-modify-write, so the
// single app node in front of it must never race itself on the same document or invariant:
// tasks of one key run one at a time, in arrival order; different keys run in parallel.
// With several nodes (REDIS_URL) each task also holds a Redis lock on its key (locks.ts), so
// the same sections are exclusive across nodes too; invariants still rest on unique indexes.
import { withNodeLock } from './locks.ts';
import { inFlight, type JournalFamily } from './journal.ts';

const tails = new Map<string, Promise<unknown>>();

function runExclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
  const prev = tails.get(key) ?? Promise.resolve();
  const next = prev.then(task, task);
  const settled = next.catch(() => {});
  tails.set(key, settled);
  void settled.then(() => {
    if (tails.get(key) === settled) tails.delete(key);
  });
  return next;
}

export interface KeyedQueue {
  /** Runs `task` after every earlier task of the same key has settled (never in parallel with one). */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/**
 * A family of queues, one per key; `name` keeps families apart (a posting and a course may share
 * an id). A queue named as a journal family records its keys in the in-flight journal
 * (journal.ts), so that after a crash only they are repaired.
 */
function keyedQueue(name: string, journaled?: JournalFamily): KeyedQueue {
  const id = (key: string) => `${name}:${key}`;
  const run = <T>(key: string, task: () => Promise<T>) => runExclusive(id(key), () => withNodeLock(id(key), task));
  return { run: journaled ? (key, task) => inFlight(journaled, key, () => run(key, task)) : run };
}

/** Accepting, withdrawing and filling a posting's slots (key: posting id). */
export const postingQueue = keyedQueue('posting', 'posting');
/** A course's seats: offering freed seats, answering and lapsing offers, withdrawals (key: course id). */
export const courseQueue = keyedQueue('course', 'course');
/** A user's unread-notification counter (key: user id). */
export const unreadQueue = keyedQueue('unread');
/**
 * Everything that writes a workshop's ledger or what is derived from it: entry inserts (with
 * their closed-period check), period closing and summary rebuilds (key: workshop id). A rebuild
 * therefore never races an entry half applied, and no entry lands in a month while it closes.
 */
export const ledgerQueue = keyedQueue('ledger');
/** One summary document's $inc (key: summary _id). */
export const summaryQueue = keyedQueue('summary');
/** A workshop's board roster: members in joining order and open orders (key: workshop id). */
export const rosterQueue = keyedQueue('roster', 'roster');
/** Marking statements of a closed pay period paid (key: pay period _id). */
export const payPeriodQueue = keyedQueue('period');
/** Adding an alert id to or removing it from one alert bucket (key: bucket _id). */
export const alertBucketQueue = keyedQueue('alert-bucket');
/** Matching one published posting against the saved job alerts (key: posting id). */
export const alertMatchQueue = keyedQueue('alert-match');
/** An employer's pay record and their arrears cases: answers, case notes and resolutions (key: employer user id). */
export const arrearsQueue = keyedQueue('arrears', 'arrears');
