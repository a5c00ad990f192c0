import { Types } from 'mongoose';
import { Notification } from '../../models/notification.ts';
import { Counter } from '../../models/counter.ts';
import { unreadCounts, unreadQueue, storeLog } from '../store/index.ts';
import { emit, rooms } from '../realtime/hub.ts';
import { queueSms } from '../outbox/service.ts';

const unreadKey = (userId: string) => `unread:${userId}`;

export interface NotifyOptions {
  /**
   * The idempotency key of the text message (default: this notification's id). A caller that may
   * notify twice for one event (a job run again, two app nodes) passes its own, e.g.
   * `reminder:<session>:<resident>`, and the SMS goes out once whatever happens.
   */
  key?: string;
}

/**
 * Tells a user something: stored for the in-app list, counted for the header bell and pushed
 * live, and queued as a text message in the outbox when they chose SMS too (server/outbox).
 * `type` names an i18n key under `notifications.types.`; params fill it in.
 */
export async function notify(userId: string, type: string, params: Record<string, string> = {}, link = '', options: NotifyOptions = {}): Promise<void> {
  const doc = await Notification.create({ user: new Types.ObjectId(userId), type, params, link });
  // The site notification is stored; the SMS is extra. If queuing it fails, the caller's own
  // work (already saved) must not be reported as failed, so the error is logged, not thrown.
  await queueSms(userId, type, params, options.key ?? `n:${String(doc._id)}`).catch((err: unknown) =>
    storeLog().warn({ err, userId, type }, 'could not queue a text message'),
  );
  const unread = await unreadQueue.run(userId, async () => {
    const c = await Counter.findOneAndUpdate({ _id: unreadKey(userId) }, { $inc: { value: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
    return c?.value ?? 1;
  });
  unreadCounts.drop(userId);
  emit(rooms.user(userId), 'notification', { id: String(doc._id), type, params, link, unread });
}

/** For the header bell on every logged-in page: read by _id, kept a few seconds. */
export async function unreadCount(userId: string): Promise<number> {
  return unreadCounts.get(userId, async () => {
    const c = await Counter.findById(unreadKey(userId), { value: 1 }).lean();
    return Math.max(0, c?.value ?? 0);
  });
}

export async function listNotifications(userId: string, limit = 50) {
  return Notification.find({ user: new Types.ObjectId(userId) }, { type: 1, params: 1, link: 1, read: 1, createdAt: 1 })
    .sort({ createdAt: -1 })
    .limit(limit)
    .lean();
}

export async function markAllRead(userId: string): Promise<void> {
  await unreadQueue.run(userId, async () => {
    await Notification.updateMany({ user: new Types.ObjectId(userId), read: false }, { $set: { read: true } });
    await Counter.updateOne({ _id: unreadKey(userId) }, { $set: { value: 0 } }, { upsert: true });
  });
  unreadCounts.drop(userId);
  emit(rooms.user(userId), 'notification:read', { unread: 0 });
}
