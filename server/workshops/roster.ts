import { Types } from 'mongoose';
import { Membership } from '../../models/membership.ts';
import { Order } from '../../models/order.ts';
import { Workshop } from '../../models/workshop.ts';
import { WorkshopRoster } from '../../models/workshop-roster.ts';
import { isDuplicateKey, rosterQueue } from '../store/index.ts';
import { markDirty } from './dirty.ts';

// A workshop's board roster (models/workshop-roster.ts): its members in joining order, which are
// its work stations (工位) 1..n, and its open orders. The live board is refreshed after every
// entry, so it reads this one document by _id; memberships and orders grow with the years and a
// query on them would read every one stored (FerretDB). Joining and new orders change it
// through rosterQueue (one writer per workshop, on every node).
//
// A roster is stored only by startRoster (a new workshop) and by rebuildSummaries (which rebuilds
// the workshop's summaries with it). So a workshop with a roster has summaries of this version's
// shape — corrections totals `c:<entry>` included — and one without (data from before rosters) is
// marked for the repair job, which rebuilds both; until then its board is counted from the
// collections, as before.

export interface RosterMember {
  /** The membership's _id. */
  id: string;
  resident: string;
  joinedAt: Date;
}

export interface Roster {
  members: RosterMember[];
  orders: { id: string; quantity: number }[];
}

/** Joining order, ties by membership id: the order stations were numbered in before the roster. */
const byJoining = (a: RosterMember, b: RosterMember) => a.joinedAt.getTime() - b.joinedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function load(workshopId: string): Promise<Roster | null> {
  const d = await WorkshopRoster.findById(workshopId).lean();
  if (!d) return null;
  return {
    members: d.members.map((m) => ({ id: m.id, resident: m.resident, joinedAt: new Date(m.joinedAt) })),
    orders: d.orders.map((o) => ({ id: o.id, quantity: o.quantity })),
  };
}

/** Counts from the workshop's memberships and open orders (a query on each: rebuilds and workshops without a roster only). */
async function recount(workshopId: string): Promise<Roster> {
  const ws = new Types.ObjectId(workshopId);
  const [members, orders] = await Promise.all([
    Membership.find({ workshop: ws }, { resident: 1, joinedAt: 1 }).lean(),
    Order.find({ workshop: ws, status: 'open' }, { quantity: 1 }).sort({ _id: 1 }).lean(),
  ]);
  return {
    members: members.map((m) => ({ id: String(m._id), resident: String(m.resident), joinedAt: new Date(m.joinedAt) })).sort(byJoining),
    orders: orders.map((o) => ({ id: String(o._id), quantity: o.quantity })),
  };
}

/** True when the workshop has a roster, i.e. its summaries were rebuilt since rosters exist (see above). */
export async function hasRoster(workshopId: string): Promise<boolean> {
  return !!(await WorkshopRoster.exists({ _id: workshopId }));
}

/** The workshop's roster: one read by _id (counted from the collections, and marked for the repair job, while it has none). */
export async function readRoster(workshopId: string): Promise<Roster> {
  const r = await load(workshopId);
  if (r) return r;
  markDirty(workshopId);
  return recount(workshopId);
}

/** Rebuilds the roster from memberships and open orders: part of rebuildSummaries (summaries.ts). */
export function rebuildRoster(workshopId: string): Promise<void> {
  return rosterQueue.run(workshopId, async () => {
    // A workshop gone meanwhile (a test that emptied the database) gets none.
    if (!(await Workshop.exists({ _id: workshopId }))) return void (await WorkshopRoster.deleteOne({ _id: workshopId }));
    await WorkshopRoster.updateOne({ _id: workshopId }, { $set: await recount(workshopId) }, { upsert: true });
  });
}

/** A new workshop starts with an empty roster: nothing to rebuild, and its first member or order needs no query. */
export async function startRoster(workshopId: string): Promise<void> {
  try {
    await WorkshopRoster.create({ _id: workshopId, members: [], orders: [] });
  } catch (err) {
    if (!isDuplicateKey(err)) markDirty(workshopId); // the repair job builds it
  }
}

/**
 * Applies `edit` under the workshop's roster queue (FerretDB updates are read-then-write). A
 * workshop without a roster is marked for the repair job, which builds it from what is stored,
 * the new record included; so is one whose roster write fails.
 */
async function change(workshopId: string, edit: (r: Roster) => Partial<Roster> | null): Promise<void> {
  try {
    await rosterQueue.run(workshopId, async () => {
      const r = await load(workshopId);
      if (!r) return markDirty(workshopId);
      const set = edit(r);
      if (set) await WorkshopRoster.updateOne({ _id: workshopId }, { $set: set });
    });
  } catch (err) {
    markDirty(workshopId);
    throw err;
  }
}

/** A member joined: their station is the next number (in joining order). */
export function rosterJoined(workshopId: string, m: { _id: unknown; resident: unknown; joinedAt: Date }): Promise<void> {
  const member: RosterMember = { id: String(m._id), resident: String(m.resident), joinedAt: new Date(m.joinedAt) };
  return change(workshopId, (r) => (r.members.some((x) => x.id === member.id) ? null : { members: [...r.members, member].sort(byJoining) }));
}

/** An order was taken (orders never close yet; one that does must be taken off here). */
export function rosterOrderOpened(workshopId: string, o: { _id: unknown; quantity: number }): Promise<void> {
  const order = { id: String(o._id), quantity: o.quantity };
  return change(workshopId, (r) => (r.orders.some((x) => x.id === order.id) ? null : { orders: [...r.orders, order] }));
}
