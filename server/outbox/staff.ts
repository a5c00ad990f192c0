import { Types } from 'mongoose';
import { OutboxMessage, type OutboxStatus } from '../../models/outbox-message.ts';
import { subtreeIds } from '../centers/tree.ts';

export interface OutboxFilter {
  status: OutboxStatus | '';
  page: number;
  perPage: number;
}

/**
 * The text messages of residents whose home center (when the message was queued) is the staff
 * member's center or one below it; admins see every center. Newest first.
 */
export async function outboxForStaff(user: Express.User, f: OutboxFilter) {
  const filter: Record<string, unknown> = {};
  if (user.role !== 'admin') {
    const centers = user.role === 'staff' && user.staffCenter ? await subtreeIds(String(user.staffCenter)) : [];
    filter.center = { $in: centers.map((c) => new Types.ObjectId(c)) };
  }
  if (f.status) filter.status = f.status;
  const fields = { user: 1, to: 1, text: 1, status: 1, attempts: 1, nextAttemptAt: 1, lastError: 1, sentAt: 1, createdAt: 1 };
  const [items, total] = await Promise.all([
    OutboxMessage.find(filter, fields)
      .sort({ createdAt: -1 })
      .skip((f.page - 1) * f.perPage)
      .limit(f.perPage)
      .lean(),
    OutboxMessage.countDocuments(filter),
  ]);
  return { items, total };
}
