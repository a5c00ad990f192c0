// View models of the outbox pages: a person's channel choice and the staff list of text messages.
import type { Request } from 'express';
import { OUTBOX_STATUSES } from '../../models/outbox-message.ts';
import { LANGS } from '../i18n/index.ts';
import { formatDate } from '../lib/format.ts';
import { pager } from '../lib/pager.ts';
import { maskPhone } from './sms-text.ts';
import type { outboxForStaff } from './staff.ts';

export const PER_PAGE = 30;

/** The two choices and the text-message languages, as radio buttons. */
export function prefsChoices(req: Request) {
  return {
    channels: [
      { value: 'site', label: req.t('outbox.prefs.siteOnly'), hint: req.t('outbox.prefs.siteOnlyHint') },
      { value: 'sms', label: req.t('outbox.prefs.siteAndSms'), hint: req.t('outbox.prefs.siteAndSmsHint', { phone: maskPhone(req.user!.phone) }) },
    ],
    langs: LANGS.map((l) => ({ value: l, label: req.t(`outbox.prefs.langs.${l}`) })),
  };
}

type Listed = Awaited<ReturnType<typeof outboxForStaff>>;

/** One row per message: when, to whom (number masked), what it said, where it stands. */
export function outboxRows(req: Request, items: Listed['items']) {
  return items.map((m) => ({
    at: formatDate(m.createdAt, req.lang, 'datetime'),
    to: maskPhone(m.to),
    userId: String(m.user),
    text: m.text,
    status: m.status,
    statusLabel: req.t(`outbox.status.${m.status}`),
    attempts: m.attempts,
    when:
      m.status === 'sent'
        ? req.t('outbox.staff.sentAt', { at: formatDate(m.sentAt, req.lang, 'datetime') })
        : m.status === 'queued'
          ? req.t('outbox.staff.nextAt', { at: formatDate(m.nextAttemptAt, req.lang, 'datetime') })
          : '',
    error: m.status === 'sent' ? '' : m.lastError,
  }));
}

export function statusOptions(req: Request) {
  return OUTBOX_STATUSES.map((s) => ({ value: s, label: req.t(`outbox.status.${s}`) }));
}

export function outboxPager(page: number, total: number, status: string) {
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  return pager(page, pages, (p) => `/staff/outbox?${new URLSearchParams({ ...(status ? { status } : {}), page: String(p) })}`);
}
