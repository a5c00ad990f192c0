// Backups from the running app: the nightly job, "back up now", retention and the health shown
// on the admin page. The file format is in format.ts, writing in dump.ts, restoring in restore.ts.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { BackupRun } from '../../models/backup-run.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { audit } from '../audit/service.ts';
import { dayKey, TIME_ZONE } from '../lib/format.ts';
import { writeBackup, type Written } from './dump.ts';
import type { ScheduledJob } from '../scheduler.ts';

export interface BackupSettings {
  dir: string;
  nightly: boolean;
  hour: number;
  keepDaily: number;
  keepWeekly: number;
}

export function backupSettings(config: Config): BackupSettings {
  return {
    dir: path.resolve(config.BACKUP_DIR ?? path.join(config.DATA_DIR, 'backups')),
    nightly: config.BACKUP_NIGHTLY,
    hour: config.BACKUP_HOUR,
    keepDaily: config.BACKUP_KEEP_DAILY,
    keepWeekly: config.BACKUP_KEEP_WEEKLY,
  };
}

// doorstep-2026-12-01T030000.123Z.ndjson.gz: sorts by time, and the time survives a copy to a
// USB stick (which would change the file's mtime).
const NAME = /^doorstep-(\d{4}-\d\d-\d\d)T(\d\d)(\d\d)(\d\d)\.(\d{3})Z\.ndjson\.gz$/;

export function backupFileName(at: Date): string {
  return `doorstep-${at
    .toISOString()
    .replace(/:/g, '')
    .replace(/\.(\d{3})Z$/, '.$1Z')}.ndjson.gz`;
}

export interface BackupFile {
  name: string;
  path: string;
  at: Date;
  size: number;
}

/** Complete backups in `dir`, newest first (temp files of a backup in progress are not listed). */
export async function listBackups(dir: string): Promise<BackupFile[]> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const out: BackupFile[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const stat = await fsp.stat(path.join(dir, name)).catch(() => undefined);
    if (!stat?.isFile()) continue;
    out.push({ name, path: path.join(dir, name), at: new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`), size: stat.size });
  }
  return out.sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** Monday-based week number since 1970 of a center-time day (1970-01-01 was a Thursday). */
function weekOf(day: string): number {
  return Math.floor((Date.parse(`${day}T00:00:00Z`) / 86_400_000 + 3) / 7);
}

/**
 * The files retention keeps: everything from the last 24 hours (a backup someone just took by
 * hand is never pruned by the next nightly one), and the newest of each of the last N days and
 * of each of the last N weeks.
 */
export function chooseKept(files: BackupFile[], keepDaily: number, keepWeekly: number, now = new Date()): Set<string> {
  const keep = new Set<string>(files.filter((f, i) => i === 0 || now.getTime() - f.at.getTime() < 86_400_000).map((f) => f.name));
  const days = new Set<string>();
  const weeks = new Set<number>();
  for (const f of files) {
    const day = dayKey(f.at);
    if (!days.has(day) && days.size < keepDaily) {
      days.add(day);
      keep.add(f.name);
    }
    const week = weekOf(day);
    if (!weeks.has(week) && weeks.size < keepWeekly) {
      weeks.add(week);
      keep.add(f.name);
    }
  }
  return keep;
}

/** Deletes backups retention does not keep, and temp files a crashed backup left (after a day). */
export async function pruneBackups(settings: BackupSettings, now = new Date()): Promise<string[]> {
  const files = await listBackups(settings.dir);
  const keep = chooseKept(files, settings.keepDaily, settings.keepWeekly, now);
  const removed: string[] = [];
  for (const f of files) {
    if (keep.has(f.name)) continue;
    await fsp.rm(f.path, { force: true });
    removed.push(f.name);
  }
  for (const name of await fsp.readdir(settings.dir).catch(() => [] as string[])) {
    if (!name.startsWith('doorstep-') || !name.endsWith('.tmp')) continue;
    const stat = await fsp.stat(path.join(settings.dir, name)).catch(() => undefined);
    if (stat && now.getTime() - stat.mtimeMs > 86_400_000) await fsp.rm(path.join(settings.dir, name), { force: true });
  }
  return removed;
}

type Trigger = 'nightly' | 'manual' | 'cli';

// The audit log needs an actor; backups the app takes by itself are the system's.
const SYSTEM_ACTOR = new mongoose.Types.ObjectId('000000000000000000000000');

/** An audit entry for a backup event, by the admin who asked or else by the system. */
export async function auditBackup(action: string, targetId: string, details: Record<string, string | number>, actor?: Express.User): Promise<void> {
  await AuditEntry.create({
    actor: actor?.id ?? SYSTEM_ACTOR,
    actorName: actor?.name ?? 'system',
    actorRole: actor?.role ?? 'system',
    action,
    targetType: 'backup',
    targetId,
    details: Object.fromEntries(Object.entries(details).map(([k, v]) => [k, String(v).slice(0, 500)])),
  });
}

let running: Promise<Written> | undefined;

/** The backup this process is writing now, if any (the admin page says so; tests wait on it). */
export function currentBackup(): Promise<Written> | undefined {
  return running;
}

/**
 * Takes one backup into settings.dir and records the run. A failure is logged, recorded and
 * audited (the admin page turns red), then rethrown. One at a time per process.
 */
export function runBackup(settings: BackupSettings, opts: RunOptions): Promise<Written> {
  if (running) return Promise.reject(new Error('a backup is already running'));
  const p = backupOnce(settings, opts).finally(() => {
    if (running === p) running = undefined;
  });
  running = p;
  return p;
}

interface RunOptions {
  trigger: Trigger;
  runId?: string;
  actor?: Express.User;
  logger?: Logger;
  prune?: boolean;
}

async function backupOnce(settings: BackupSettings, opts: RunOptions): Promise<Written> {
  const startedAt = new Date();
  const runId = opts.runId ?? `${opts.trigger}:${startedAt.toISOString()}:${process.pid}`;
  const file = path.join(settings.dir, backupFileName(startedAt));
  try {
    if (!opts.runId) await BackupRun.create({ _id: runId, trigger: opts.trigger, startedAt });
    const written = await writeBackup(mongoose.connection.db!, file);
    await BackupRun.updateOne({ _id: runId }, { $set: { finishedAt: new Date(), ok: true, file, size: written.size, documents: written.manifest.documents } });
    if (opts.actor)
      await audit(opts.actor, {
        action: 'backup.create',
        targetType: 'backup',
        targetId: path.basename(file),
        details: { size: written.size, documents: written.manifest.documents },
      });
    if (opts.prune !== false) await pruneBackups(settings).catch((err: unknown) => opts.logger?.warn({ err }, 'backup retention failed'));
    opts.logger?.info({ file, size: written.size, documents: written.manifest.documents, ms: written.ms }, 'backup written');
    return written;
  } catch (err) {
    const message = (err as Error).message.slice(0, 500);
    opts.logger?.error({ err, dir: settings.dir }, 'backup failed');
    await BackupRun.updateOne({ _id: runId }, { $set: { finishedAt: new Date(), ok: false, error: message } }).catch(() => {});
    await auditBackup('backup.failed', settings.dir, { trigger: opts.trigger, error: message, host: os.hostname() }, opts.actor).catch(() => {});
    throw err;
  }
}

const hourFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', hour12: false });
const MAX_NIGHTLY_ATTEMPTS = 3;

/**
 * The nightly job's tick: from BACKUP_HOUR on, take the day's backup unless one was taken or is
 * being taken (by this or another node: the claim is an insert under a deterministic _id), with
 * up to three attempts a night when one fails.
 */
export async function nightlyTick(settings: BackupSettings, logger?: Logger, now = new Date()): Promise<boolean> {
  if (Number(hourFormat.format(now)) % 24 < settings.hour) return false;
  const prefix = `nightly:${dayKey(now)}:`;
  const runs = await BackupRun.find({ _id: { $regex: `^${prefix}` } }, { ok: 1 }).lean();
  if (runs.some((r) => r.ok !== false) || runs.length >= MAX_NIGHTLY_ATTEMPTS) return false;
  const runId = `${prefix}${runs.length + 1}`;
  try {
    await BackupRun.create({ _id: runId, trigger: 'nightly', startedAt: now });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return false; // another node took it
    throw err;
  }
  await runBackup(settings, { trigger: 'nightly', runId, logger });
  return true;
}

export interface BackupHealth {
  dir: string;
  newest?: BackupFile;
  lastFailure?: { at: Date; error: string };
  running: boolean;
  /** Red on the admin page: no backup, the newest older than 48 hours, or the last run failed. */
  stale: boolean;
  failed: boolean;
}

export const STALE_AFTER_MS = 48 * 3600_000;

export async function backupHealth(settings: BackupSettings, now = new Date()): Promise<BackupHealth> {
  const [newest] = await listBackups(settings.dir);
  // A small collection (a few runs a day): reading it whole is cheap on either engine.
  const [last] = await BackupRun.find({ ok: { $ne: null } })
    .sort({ startedAt: -1 })
    .limit(1)
    .lean();
  const failed = last?.ok === false && (!newest || (last.startedAt as Date) > newest.at);
  return {
    dir: settings.dir,
    newest,
    lastFailure: failed ? { at: last.finishedAt ?? last.startedAt, error: last.error ?? '' } : undefined,
    running: !!running,
    stale: !newest || now.getTime() - newest.at.getTime() > STALE_AFTER_MS,
    failed,
  };
}

/** The nightly backup job, or none when nightly backups are turned off. */
export function backupJobs(settings: BackupSettings, logger: Logger): ScheduledJob[] {
  return settings.nightly ? [{ name: 'backup.nightly', everyMs: 10 * 60_000, run: () => nightlyTick(settings, logger) }] : [];
}
