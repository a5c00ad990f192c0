import { JobAlert } from '../../models/job-alert.ts';
import { ownedBy, type PersonalData } from '../privacy/declare.ts';
import { bucketId, unlistFromBucket } from './buckets.ts';

// A resident's saved job searches are theirs alone: exported, and deleted with the account
// (their ids leave the buckets too, so nothing is ever matched for them again).
const alerts = ownedBy('JobAlert', {
  subject: 'user',
  section: 'jobAlerts',
  fields: ['center', 'category', 'q', 'tag', 'payType', 'minPayFen', 'createdAt'],
  erase: 'delete',
});

export const alertsData: readonly PersonalData[] = [
  {
    ...alerts,
    async erase(ctx) {
      const own = await JobAlert.find({ user: ctx.userId }, { center: 1, category: 1 }).lean();
      await alerts.erase(ctx);
      for (const a of own) await unlistFromBucket(bucketId(a.center, a.category), a._id);
    },
  },
];
