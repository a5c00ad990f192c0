import { NotificationPrefs } from '../../models/notification-prefs.ts';
import { OutboxMessage } from '../../models/outbox-message.ts';
import { OutboxDue } from '../../models/outbox-due.ts';
import { User } from '../../models/user.ts';
import { isDuplicateKey } from '../store/index.ts';
import { DEFAULT_LANG, isLang, type Lang } from '../i18n/index.ts';
import { smsText } from './sms-text.ts';

// The notification outbox: every notification is shown on the site (notifications/service.ts)
// and, for people who chose text messages too, queued here as an SMS that the sender
// (sender.ts) hands to the gateway. Queuing is idempotent by key; sending is claimed per attempt.

export interface ChannelPrefs {
  sms: boolean;
  lang: Lang;
}

/** How this person wants to be told; without a saved choice, on the site only. */
export async function channelPrefs(userId: string, fallbackLang: Lang = DEFAULT_LANG): Promise<ChannelPrefs> {
  const p = await NotificationPrefs.findById(userId, { sms: 1, lang: 1 }).lean();
  return { sms: !!p?.sms, lang: isLang(p?.lang) ? p.lang : fallbackLang };
}

/** The person's own choice (no staff decision, so no audit entry). */
export async function saveChannelPrefs(userId: string, prefs: ChannelPrefs): Promise<void> {
  await NotificationPrefs.updateOne({ _id: userId }, { $set: { sms: prefs.sms, lang: prefs.lang, updatedAt: new Date() } }, { upsert: true });
}

export type QueueResult = 'queued' | 'duplicate' | 'not-wanted';

/**
 * Queues the text message for a notification, once per key: `sms:<key>` is the message's _id,
 * so a second call with the same key (a retried job, a second app node) finds it and stops.
 * Nothing is queued for people who did not choose SMS, have no usable number or are disabled,
 * or for types without an SMS template.
 */
export async function queueSms(userId: string, type: string, params: Record<string, string>, key: string, now = new Date()): Promise<QueueResult> {
  const prefs = await channelPrefs(userId);
  if (!prefs.sms) return 'not-wanted';
  const user = await User.findById(userId, { phone: 1, name: 1, homeCenter: 1, disabled: 1 }).lean();
  if (!user || user.disabled || !user.phone) return 'not-wanted';
  const text = smsText(type, params, user.name, prefs.lang);
  if (!text) return 'not-wanted';
  const _id = `sms:${key}`;
  if (await OutboxMessage.exists({ _id })) return 'duplicate';
  // The due entry first: a due entry without its message is dropped by the sender, while a
  // message without a due entry would never be sent.
  await ignoreDuplicate(OutboxDue.create({ _id, dueAt: now }));
  const created = await ignoreDuplicate(
    OutboxMessage.create({
      _id,
      channel: 'sms',
      user: user._id,
      center: user.homeCenter,
      to: user.phone,
      lang: prefs.lang,
      type,
      text,
      nextAttemptAt: now,
      createdAt: now,
    }),
  );
  return created ? 'queued' : 'duplicate';
}

async function ignoreDuplicate(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
