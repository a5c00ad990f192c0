import { Types } from 'mongoose';
import { DeletionRequest, deletionRequestId, type DeletionRequestDoc } from '../../models/deletion-request.ts';
import { User } from '../../models/user.ts';
import { Refusal } from '../lib/refusal.ts';
import { canActOnCenter } from '../centers/scope.ts';
import { endSessions } from '../accounts/desk.ts';
import type { ScheduledJob } from '../scheduler.ts';
import { PERSONAL_DATA } from './registry.ts';
import type { ErasureContext } from './declare.ts';

const DAY_MS = 24 * 3600 * 1000;

/** What replaces the name in kept records: the role and a short, stable reference from the id. */
export function aliasOf(userId: string, role: 'resident' | 'employer'): string {
  return `${role === 'employer' ? '已注销雇主' : '已注销居民'} #${userId.slice(-6).toUpperCase()}`;
}

export async function deletionOf(userId: string) {
  return DeletionRequest.findById(deletionRequestId(userId)).lean();
}

/**
 * The person asks for their data to be deleted. Nothing happens until `coolingDays` have passed,
 * so a mistake or a change of mind costs nothing; asking again while one waits changes nothing.
 */
export async function requestDeletion(user: Express.User, coolingDays: number, now = new Date()): Promise<DeletionRequestDoc> {
  if (user.role !== 'resident' && user.role !== 'employer') throw new Refusal('forbidden', 'errors.forbiddenRole');
  const existing = await deletionOf(user.id);
  if (existing?.status === 'pending') return existing;
  if (existing && existing.status !== 'cancelled') throw new Refusal('conflict', 'privacy.delete.alreadyRunning');
  const doc = {
    user: new Types.ObjectId(user.id),
    role: user.role,
    center: new Types.ObjectId(user.homeCenter),
    status: 'pending',
    requestedAt: now,
    dueAt: new Date(now.getTime() + coolingDays * DAY_MS),
    cancelledAt: null,
    alias: aliasOf(user.id, user.role),
    done: [],
    finishedAt: null,
  };
  await DeletionRequest.updateOne({ _id: deletionRequestId(user.id) }, { $set: doc }, { upsert: true });
  return (await deletionOf(user.id))!;
}

/** Within the cooling-off period the person changes their mind; afterwards it is too late. */
export async function cancelDeletion(user: Express.User, now = new Date()): Promise<void> {
  const existing = await deletionOf(user.id);
  if (existing?.status !== 'pending') throw new Refusal('conflict', 'privacy.delete.nothingToCancel');
  await DeletionRequest.updateOne({ _id: existing._id, status: 'pending' }, { $set: { status: 'cancelled', cancelledAt: now } });
}

/** Deletions waiting or under way for people whose home center the staff member acts for. */
export async function pendingDeletions(actor: Express.User) {
  const all = await DeletionRequest.find({ status: { $in: ['pending', 'running'] } })
    .sort({ dueAt: 1 })
    .lean();
  const mine = [];
  for (const d of all) if (await canActOnCenter(actor, String(d.center))) mine.push(d);
  // Read by _id, one each: the list is short and FerretDB serves these from the index.
  const people = await Promise.all(mine.map((d) => User.findById(d.user, { name: 1, phone: 1, role: 1 }).lean()));
  return mine.map((d, i) => ({ request: d, person: people[i] }));
}

/** Steps 'lock' first (no more logins, sessions ended), then each collection, then 'done'. */
async function carryOut(req: DeletionRequestDoc & { _id: string }): Promise<void> {
  const done = new Set(req.done);
  const step = async (name: string, work: () => Promise<unknown>) => {
    if (done.has(name)) return;
    await work();
    await DeletionRequest.updateOne({ _id: req._id }, { $addToSet: { done: name } });
    done.add(name);
  };
  const user = await User.findById(req.user, { name: 1, phone: 1 }).lean();
  if (req.status === 'pending') await DeletionRequest.updateOne({ _id: req._id }, { $set: { status: 'running' } });
  if (user) {
    const ctx: ErasureContext = {
      userId: req.user,
      id: String(req.user),
      role: req.role as 'resident' | 'employer',
      alias: req.alias,
      name: user.name,
      phone: user.phone,
    };
    await step('lock', async () => {
      await User.updateOne({ _id: req.user }, { $set: { disabled: true } });
      await endSessions(ctx.id);
    });
    for (const d of PERSONAL_DATA) await step(d.model, () => d.erase(ctx));
  }
  await DeletionRequest.updateOne({ _id: req._id }, { $set: { status: 'done', finishedAt: new Date() } });
}

/**
 * Carries out every deletion whose cooling-off period is over. Idempotent and resumable: each
 * finished step is noted on the request, every step can run twice, and a request left 'running'
 * by a crash is picked up again by the next run.
 */
export async function runDueDeletions(now = new Date()): Promise<number> {
  const due = await DeletionRequest.find({ status: { $in: ['pending', 'running'] }, dueAt: { $lte: now } }).lean();
  for (const d of due) await carryOut(d as DeletionRequestDoc & { _id: string });
  return due.length;
}

export const deletionJob: ScheduledJob = { name: 'privacy-deletions', everyMs: 15 * 60_000, run: () => runDueDeletions() };
