import type { Lang } from '../i18n/index.ts';
import { formatDate, formatNumber } from '../lib/format.ts';
import type { BackupHealth, BackupSettings } from './service.ts';

export function formatBytes(bytes: number, lang: Lang): string {
  if (bytes >= 1 << 20) return `${formatNumber(Math.round((bytes / (1 << 20)) * 10) / 10, lang)} MB`;
  return `${formatNumber(Math.max(1, Math.ceil(bytes / 1024)), lang)} KB`;
}

/** The admin home's backup panel: plain strings for the template. */
export function backupPanel(health: BackupHealth, settings: BackupSettings, lang: Lang) {
  const newest = health.newest;
  return {
    newest: newest ? { when: formatDate(newest.at, lang, 'datetime'), size: formatBytes(newest.size, lang), path: newest.path } : undefined,
    failure: health.lastFailure ? { when: formatDate(health.lastFailure.at, lang, 'datetime'), error: health.lastFailure.error } : undefined,
    stale: health.stale,
    none: !newest,
    warn: health.stale || health.failed,
    running: health.running,
    dir: health.dir,
    nightly: settings.nightly,
    hour: String(settings.hour).padStart(2, '0'),
    daily: settings.keepDaily,
    weekly: settings.keepWeekly,
  };
}
