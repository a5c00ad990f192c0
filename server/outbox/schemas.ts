import { z } from 'zod';
import { OUTBOX_STATUSES } from '../../models/outbox-message.ts';
import { LANGS } from '../i18n/index.ts';

export const prefsSchema = z.object({
  channels: z.enum(['site', 'sms'], 'errors.choose'),
  lang: z.enum(LANGS, 'errors.choose'),
});

// A read-only list: bad filter values are dropped rather than refused.
export const staffQuerySchema = z.object({
  status: z.enum(OUTBOX_STATUSES).or(z.literal('')).catch(''),
  page: z.coerce.number().int().min(1).max(10000).catch(1),
});
