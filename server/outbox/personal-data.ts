import { NotificationPrefs } from '../../models/notification-prefs.ts';
import { OutboxDue } from '../../models/outbox-due.ts';
import { OutboxMessage } from '../../models/outbox-message.ts';
import { ownedBy, pick, type PersonalData } from '../privacy/declare.ts';

// Text messages carry the person's phone number and words about them: exported, then deleted
// with the account (a message still waiting is dropped first, so nothing is sent afterwards).
const messages = ownedBy('OutboxMessage', {
  subject: 'user',
  section: 'textMessages',
  fields: ['to', 'type', 'text', 'status', 'createdAt', 'sentAt'],
  erase: 'delete',
});

const preferences: PersonalData = {
  model: 'NotificationPrefs',
  section: 'notificationPrefs',
  userPaths: [],
  async export(userId) {
    const p = await NotificationPrefs.findById(String(userId)).lean();
    return p ? [pick(p as Record<string, unknown>, ['sms', 'lang', 'updatedAt'])] : [];
  },
  async erase(ctx) {
    await NotificationPrefs.deleteOne({ _id: ctx.id });
  },
};

export const outboxData: readonly PersonalData[] = [
  {
    ...messages,
    async erase(ctx) {
      const waiting = await OutboxMessage.find({ user: ctx.userId, status: 'queued' }, { _id: 1 }).lean();
      if (waiting.length) await OutboxDue.deleteMany({ _id: { $in: waiting.map((m) => m._id) } });
      await messages.erase(ctx);
    },
  },
  preferences,
];
