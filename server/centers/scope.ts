import { isWithin } from './tree.ts';

// Who may act on what, by center: a domain rule that services apply to the records they load
// and that server/http/guards.ts applies to routes.

/** Can this user act on records of this center? Admins everywhere, staff on their subtree. */
export async function canActOnCenter(user: Express.User | undefined, centerId: string | null | undefined): Promise<boolean> {
  if (!user) return false;
  if (user.role === 'admin') return true;
  if (user.role !== 'staff') return false;
  return isWithin(centerId ? String(centerId) : null, user.staffCenter);
}

/**
 * The one rule for acting on a resident: as on any record, by its center, here the resident's
 * home center (issue 14, finding 4). Every staff action that names a resident (by id or phone)
 * goes through this.
 */
export async function canActOnResident(user: Express.User | undefined, resident: { homeCenter?: unknown } | null | undefined): Promise<boolean> {
  return !!resident && !!resident.homeCenter && canActOnCenter(user, String(resident.homeCenter));
}
