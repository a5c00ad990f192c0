import { Refusal } from '../../lib/refusal.ts';
import { canActOnCenter } from '../../centers/scope.ts';

// Small helpers the gig service modules share.

import { isObjectId, oid } from '../../lib/ids.ts';

export { oid };
/** The one id check (server/lib/ids.ts), under the name the gig services use. */
export const validId = isObjectId;

export type FieldResult<T = object> = ({ ok: true } & T) | { ok: false; field: string; key: string };

export async function assertScope(actor: Express.User, centerId: unknown): Promise<void> {
  if (!(await canActOnCenter(actor, centerId ? String(centerId) : null))) throw new Refusal('forbidden', 'errors.forbiddenCenter');
}

/** The posting fields that lists (search, board, employer, moderation) show. */
export const LIST_FIELDS = {
  title: 1,
  employerName: 1,
  category: 1,
  payType: 1,
  payFen: 1,
  headcount: 1,
  acceptedCount: 1,
  startDay: 1,
  endDay: 1,
  center: 1,
  suitability: 1,
  publishedAt: 1,
  code: 1,
  status: 1,
  address: 1,
  dailyHours: 1,
} as const;
