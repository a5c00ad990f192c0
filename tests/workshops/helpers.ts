import { Types } from 'mongoose';
import { Workshop } from '../../models/workshop.ts';
import { Task } from '../../models/task.ts';
import { Membership, membershipId } from '../../models/membership.ts';
import { User } from '../../models/user.ts';
import { sessionUser } from '../../server/accounts/service.ts';

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
  const w = await Workshop.create({ name: opts.name ?? `工坊${new Types.ObjectId().toHexString().slice(-6)}`, center, trainingCategory: opts.trainingCategory ?? '' });
  const t = await Task.create({ workshop: w._id, name: '彩灯组装', unit: '盏', rateFen: opts.rateFen ?? 80 });
  return { id: String(w._id), center, taskId: String(t._id) };
}

export async function addMember(workshopId: string, residentId: string) {
  const u = await User.findById(residentId, { name: 1, phone: 1 }).lean();
  await Membership.create({ _id: membershipId(workshopId, residentId), workshop: workshopId, resident: residentId, residentName: u!.name, residentPhone: u!.phone });
}

let n = 0;
export const key = (prefix = 'k') => `${prefix}-${process.pid}-${Date.now()}-${++n}`;
