import { OutboxMessage, type OutboxMessageDoc } from '../../models/outbox-message.ts';
import { OutboxDue } from '../../models/outbox-due.ts';
import { OutboxClaim } from '../../models/outbox-claim.ts';
import { NotificationPrefs } from '../../models/notification-prefs.ts';
import { isDuplicateKey } from '../store/index.ts';
import type { ScheduledJob } from '../scheduler.ts';
import type { SmsGateway } from './gateway.ts';

// Sends what the outbox holds, on every app node, any number of times at once, never twice:
//
// - each attempt n of a message is claimed by inserting `<message>#<n>` under the _id index;
//   only the sender whose insert succeeded calls the gateway, and attempt numbers only move on
//   once an attempt is recorded (sent, failed) — so no two senders ever hold the same attempt;
// - a message recorded as sent is never looked at again (its due entry goes);
// - a failure is retried with growing pauses, up to MAX_ATTEMPTS;
// - after a restart, queued messages are still due; an attempt claimed by a process that died
//   before recording it is taken over once its lease has run out (the gateway call is bounded
//   far below the lease, so a living sender is never overtaken) and tried again with the same
//   key, which the gateway must not deliver twice (gateway.ts).

export const MAX_ATTEMPTS = 5;
export const LEASE_MS = 5 * 60_000;
const SEND_TIMEOUT_MS = 30_000;
const BATCH = 50;
// A due entry whose message never arrived (the process stopped between the two inserts).
const ORPHAN_AFTER_MS = 60_000;
const CLAIMS_KEPT_MS = 30 * 24 * 3600_000;
export const MESSAGES_KEPT_MS = 180 * 24 * 3600_000;

/** 1, 2, 4, 8 minutes… at most an hour after the n-th failed attempt. */
export const retryDelay = (attempt: number) => Math.min(60_000 * 2 ** (attempt - 1), 3600_000);

type Message = Pick<OutboxMessageDoc, 'user' | 'to' | 'text' | 'status' | 'attempts' | 'nextAttemptAt'> & { _id: string };
export type SendOutcome = 'sent' | 'retry' | 'failed' | 'skipped';

export interface SendReport {
  sent: number;
  retry: number;
  failed: number;
  skipped: number;
}

/** Sends every message due by `now` (the scheduled job calls this every few seconds). */
export async function sendDueMessages(gateway: SmsGateway, now = new Date()): Promise<SendReport> {
  const report: SendReport = { sent: 0, retry: 0, failed: 0, skipped: 0 };
  const due = await OutboxDue.find({ dueAt: { $lte: now } }, { _id: 1, createdAt: 1 })
    .sort({ dueAt: 1 })
    .limit(BATCH)
    .lean();
  for (const d of due) report[await sendOne(gateway, d, now)] += 1;
  return report;
}

async function sendOne(gateway: SmsGateway, due: { _id: string; createdAt?: Date | null }, now: Date, takenOver = false): Promise<SendOutcome> {
  const msg = (await OutboxMessage.findById(due._id, { user: 1, to: 1, text: 1, status: 1, attempts: 1, nextAttemptAt: 1 }).lean()) as Message | null;
  if (!msg) {
    if (!due.createdAt || now.getTime() - due.createdAt.getTime() > ORPHAN_AFTER_MS) await OutboxDue.deleteOne({ _id: due._id });
    return 'skipped';
  }
  if (msg.status !== 'queued') {
    await OutboxDue.deleteOne({ _id: msg._id });
    return 'skipped';
  }
  if (msg.nextAttemptAt && msg.nextAttemptAt > now) {
    // The due entry missed its update after a failure (a stop in between): bring it in line.
    await OutboxDue.updateOne({ _id: msg._id }, { $set: { dueAt: msg.nextAttemptAt } });
    return 'skipped';
  }
  const attempt = msg.attempts + 1;
  if (!(await claim(`${msg._id}#${attempt}`, now))) {
    if (takenOver || !(await takeOverIfAbandoned(msg, attempt, now))) return 'skipped';
    return sendOne(gateway, due, now, true);
  }
  if (!(await NotificationPrefs.findById(String(msg.user), { sms: 1 }).lean())?.sms) {
    // They turned text messages off since this was queued: their choice wins (decided by the
    // holder of the attempt, so no other sender is sending it meanwhile).
    await OutboxMessage.updateOne({ _id: msg._id, status: 'queued', attempts: msg.attempts }, { $set: { status: 'cancelled' } });
    await OutboxDue.deleteOne({ _id: msg._id });
    return 'skipped';
  }
  try {
    await withTimeout(gateway.send({ to: msg.to, text: msg.text, key: msg._id }), SEND_TIMEOUT_MS);
  } catch (err) {
    return recordFailure(msg, attempt, (err as Error)?.message ?? String(err), new Date(now.getTime() + retryDelay(attempt)));
  }
  await OutboxMessage.updateOne({ _id: msg._id, status: 'queued' }, { $set: { status: 'sent', attempts: attempt, sentAt: now, lastError: '' } });
  await OutboxDue.deleteOne({ _id: msg._id });
  return 'sent';
}

async function claim(id: string, now: Date): Promise<boolean> {
  try {
    await OutboxClaim.create({ _id: id, at: now });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Someone holds this attempt. If they claimed it longer ago than the lease and it is still not
 * recorded, they stopped mid-way: the attempt counts as interrupted and the next one is due now.
 * Several senders may decide this at once; they write the same values, and the next attempt is
 * claimed by one of them only.
 */
async function takeOverIfAbandoned(msg: Message, attempt: number, now: Date): Promise<boolean> {
  const held = await OutboxClaim.findById(`${msg._id}#${attempt}`, { at: 1 }).lean();
  if (!held || now.getTime() - held.at.getTime() < LEASE_MS) return false;
  return (await recordFailure(msg, attempt, 'interrupted', now)) === 'retry';
}

async function recordFailure(msg: Message, attempt: number, error: string, retryAt: Date): Promise<SendOutcome> {
  const final = attempt >= MAX_ATTEMPTS;
  const lastError = error.slice(0, 200);
  // Only over the state this attempt started from: a sender that overran its lease must not
  // turn a message someone else has since sent back into a queued one.
  const r = await OutboxMessage.updateOne(
    { _id: msg._id, status: 'queued', attempts: attempt - 1 },
    { $set: { attempts: attempt, lastError, status: final ? 'failed' : 'queued', ...(final ? {} : { nextAttemptAt: retryAt }) } },
  );
  if (!r.matchedCount) return 'skipped';
  if (final) await OutboxDue.deleteOne({ _id: msg._id });
  else await OutboxDue.updateOne({ _id: msg._id }, { $set: { dueAt: retryAt } });
  return final ? 'failed' : 'retry';
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the gateway in ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Claims of attempts long finished are only history and go after a month; finished messages go
 * after MESSAGES_KEPT_MS, so the staff list (a scan on FerretDB) does not grow for ever.
 */
export async function sweepOld(now = new Date()): Promise<number> {
  const claims = await OutboxClaim.deleteMany({ at: { $lt: new Date(now.getTime() - CLAIMS_KEPT_MS) } });
  const messages = await OutboxMessage.deleteMany({ status: { $ne: 'queued' }, createdAt: { $lt: new Date(now.getTime() - MESSAGES_KEPT_MS) } });
  return (claims.deletedCount ?? 0) + (messages.deletedCount ?? 0);
}

/** The scheduled sender (listed in server/main.ts); old records are swept about once an hour. */
export function outboxJob(gateway: SmsGateway): ScheduledJob {
  let lastSweep = 0;
  return {
    name: 'sms-outbox',
    everyMs: 15_000,
    run: async () => {
      await sendDueMessages(gateway);
      if (Date.now() - lastSweep > 3600_000) {
        lastSweep = Date.now();
        await sweepOld();
      }
    },
  };
}
