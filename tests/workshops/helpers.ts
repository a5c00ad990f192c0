import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { computeSummaries, type EntryLike } from '../../server/workshops/summaries.ts';
import { Workshop } from '../../models/workshop.ts';
import { Task } from '../../models/task.ts';
import { Membership, membershipId } from '../../models/membership.ts';
import { User } from '../../models/user.ts';
import { sessionUser } from '../../server/accounts/service.ts';
import { rosterJoined, startRoster } from '../../server/workshops/roster.ts';

/** The session user of a seeded account, for calling services directly. */
export async function actor(id: string): Promise<Express.User> {
  const u = await sessionUser(id);
  if (!u) throw new Error(`no user ${id}`);
  return u;
}

export async function seededShop(name = '庙西彩灯共富工坊') {
  const w = await Workshop.findOne({ name }).lean();
  if (!w) throw new Error(`no workshop ${name}`);
  const tasks = await Task.find({ workshop: w._id }).sort({ name: 1 }).lean();
  return { id: String(w._id), center: String(w.center), tasks: tasks.map((t) => ({ id: String(t._id), name: t.name, rateFen: t.rateFen })) };
}

/** A fresh workshop with one task, in the given center. */
export async function makeShop(center: string, opts: { name?: string; rateFen?: number; trainingCategory?: string } = {}) {
  const w = await Workshop.create({
    name: opts.name ?? `工坊${new Types.ObjectId().toHexString().slice(-6)}`,
    center,
    trainingCategory: opts.trainingCategory ?? '',
  });
  const t = await Task.create({ workshop: w._id, name: '彩灯组装', unit: '盏', rateFen: opts.rateFen ?? 80 });
  await startRoster(String(w._id)); // as createWorkshop does (workshops/service.ts)
  return { id: String(w._id), center, taskId: String(t._id) };
}

export async function addMember(workshopId: string, residentId: string) {
  const u = await User.findById(residentId, { name: 1, phone: 1 }).lean();
  const m = await Membership.create({
    _id: membershipId(workshopId, residentId),
    workshop: workshopId,
    resident: residentId,
    residentName: u!.name,
    residentPhone: u!.phone,
  });
  // As joining does (workshops/service.ts): the member gets the next station on the board's roster.
  await rosterJoined(workshopId, m);
}

let n = 0;
export const key = (prefix = 'k') => `${prefix}-${process.pid}-${Date.now()}-${++n}`;

/** Live summaries of a workshop equal what its ledger adds up to. */
export async function assertSummariesMatchLedger(workshopId: string) {
  const entries = (await LedgerEntry.find({ workshop: workshopId }).lean()) as unknown as EntryLike[];
  const expected = computeSummaries(entries);
  const live = await WorkSummary.find({ workshop: workshopId }).lean();
  assert.equal(live.length, expected.size, 'one summary per key');
  for (const doc of live) {
    const exp = expected.get(String(doc._id));
    assert.ok(exp, `unexpected summary ${String(doc._id)}`);
    for (const f of ['counted', 'rejected', 'accepted', 'amountFen', 'entries'] as const) assert.equal(doc[f], exp[f], `${String(doc._id)} ${f}`);
    for (const [t, v] of Object.entries(exp.tasks)) {
      assert.equal((doc.tasks as Record<string, { accepted: number; amountFen: number }>)[t]?.amountFen ?? 0, v.amountFen);
    }
  }
}
