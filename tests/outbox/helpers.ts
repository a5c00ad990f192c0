import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NotificationPrefs } from '../../models/notification-prefs.ts';
import { OutboxMessage } from '../../models/outbox-message.ts';
import { OutboxDue } from '../../models/outbox-due.ts';
import { OutboxClaim } from '../../models/outbox-claim.ts';
import type { SmsGateway, SmsMessage } from '../../server/outbox/gateway.ts';

const dirs: string[] = [];
/** A fresh sms.log path under the system's temp directory (removed by removeTempLogs). */
export function tempLog(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `doorstep-sms-${process.pid}-`));
  dirs.push(dir);
  return path.join(dir, 'sms.log');
}

export function removeTempLogs(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** The lines of a dev sms.log as { key, to, text }. */
export function logLines(file: string): { key: string; to: string; text: string }[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [, key = '', to = '', text = ''] = l.split('\t');
      return { key, to, text };
    });
}

export async function chooseSms(userId: string, lang: 'zh-CN' | 'en' = 'zh-CN'): Promise<void> {
  await NotificationPrefs.updateOne({ _id: userId }, { $set: { sms: true, lang } }, { upsert: true });
}

export async function emptyOutbox(): Promise<void> {
  await Promise.all([OutboxMessage.deleteMany({}), OutboxDue.deleteMany({}), OutboxClaim.deleteMany({})]);
}

/** A gateway that records every call and never deduplicates (so only the outbox can prevent doubles). */
export function countingGateway(fail: (m: SmsMessage, call: number) => string | null = () => null): SmsGateway & { calls: SmsMessage[] } {
  const calls: SmsMessage[] = [];
  return {
    name: 'counting',
    calls,
    async send(m) {
      calls.push(m);
      // A little latency, so concurrent senders really overlap.
      await new Promise((r) => setTimeout(r, 5));
      const error = fail(m, calls.length);
      if (error) throw new Error(error);
    },
  };
}
