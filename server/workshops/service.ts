import { isObjectId } from '../lib/ids.ts';
import { isDuplicateKey } from '../store/index.ts';
import { canActOnCenter } from '../centers/scope.ts';
import { Types } from 'mongoose';
import { Workshop } from '../../models/workshop.ts';
import { Task } from '../../models/task.ts';
import { Membership, membershipId } from '../../models/membership.ts';
import { User } from '../../models/user.ts';
import { Course } from '../../models/course.ts';
import { Refusal } from '../lib/refusal.ts';
import { canActOnResident } from '../centers/scope.ts';
import { audit } from '../audit/service.ts';
import { deleteFile } from '../files/store.ts';
import { hasCompleted } from '../courses/completion.ts';
import { subtreeIds } from '../centers/tree.ts';
import { notify } from '../notifications/service.ts';
import { inFlight, workshopList, workshops } from '../store/index.ts';
import { rosterJoined, startRoster } from './roster.ts';

export interface WorkshopInput {
  name: string;
  description: string;
  center: string;
  address: string;
  hours: string;
  lead: string | null;
  trainingCategory: string;
  trainingCourses: string[];
  photos: string[];
  active: boolean;
}

/**
 * A workshop by id, or null. Read through a short cache: worker pages, the live board and every
 * logged entry need it, and it changes rarely (writes on this node drop it at once). Shared:
 * callers must not modify it.
 */
export async function findWorkshop(id: string) {
  if (!isObjectId(id)) return null;
  return workshops.get(id, () => Workshop.findById(id).lean());
}

export async function getWorkshop(id: string) {
  const w = await findWorkshop(id);
  if (!w) throw new Refusal('not-found', 'errors.notFound');
  return w;
}

// A town has tens of workshops: lists filter one cached read of all of them in memory (on
// FerretDB a filtered find reads the whole collection anyway).
export async function listWorkshops(opts: { centers?: string[]; activeOnly?: boolean } = {}) {
  const all = await workshopList.get('all', () => Workshop.find().sort({ name: 1 }).lean());
  const centers = opts.centers && new Set(opts.centers.map(String));
  return all.filter((w) => (!centers || centers.has(String(w.center))) && (!opts.activeOnly || w.active));
}

export async function workshopsInScope(centerId: string) {
  return listWorkshops({ centers: await subtreeIds(centerId) });
}

async function leadName(lead: string | null): Promise<string> {
  if (!lead) return '';
  const u = await User.findById(lead, { name: 1, role: 1 }).lean();
  if (!u || (u.role !== 'staff' && u.role !== 'admin')) throw new Refusal('invalid', 'workshops.errors.lead');
  return u.name;
}

export async function createWorkshop(actor: Express.User, input: WorkshopInput): Promise<string> {
  const doc = await Workshop.create({ ...input, leadName: await leadName(input.lead) });
  await startRoster(String(doc._id));
  await audit(actor, { action: 'workshop.create', targetType: 'workshop', targetId: String(doc._id), center: input.center, details: { name: input.name } });
  return String(doc._id);
}

export async function updateWorkshop(actor: Express.User, id: string, input: WorkshopInput): Promise<void> {
  await Workshop.updateOne({ _id: id }, { $set: { ...input, leadName: await leadName(input.lead) } });
  await audit(actor, { action: 'workshop.update', targetType: 'workshop', targetId: id, center: input.center, details: { name: input.name } });
}

/** Staff and admins who may lead a workshop, by name (the form's lead choice). */
export async function leadCandidates() {
  return User.find({ role: { $in: ['staff', 'admin'] } }, { name: 1, phone: 1, staffCenter: 1 })
    .sort({ name: 1 })
    .lean();
}

/** Titles of the courses a workshop asks for, in the workshop's order ('' for a missing course). */
export async function trainingCourseTitles(ids: string[]): Promise<string[]> {
  const courses = await Promise.all(ids.map((id) => Course.findById(id, { title: 1 }).lean()));
  return courses.map((c) => c?.title ?? '');
}

// ---- tasks ----

export async function listTasks(workshopId: string, activeOnly = false) {
  const filter: Record<string, unknown> = { workshop: new Types.ObjectId(workshopId) };
  if (activeOnly) filter.active = true;
  return Task.find(filter).sort({ name: 1 }).lean();
}

export async function getTask(workshopId: string, taskId: string) {
  if (!isObjectId(taskId)) throw new Refusal('not-found', 'errors.notFound');
  const t = await Task.findById(taskId).lean();
  if (!t || String(t.workshop) !== workshopId) throw new Refusal('not-found', 'errors.notFound');
  return t;
}

export async function addTask(actor: Express.User, workshop: { _id: unknown; center: unknown }, input: { name: string; unit: string; rateFen: number }) {
  try {
    const t = await Task.create({ workshop: new Types.ObjectId(String(workshop._id)), ...input });
    await audit(actor, { action: 'workshop.task.add', targetType: 'task', targetId: String(t._id), center: String(workshop.center), details: { ...input } });
    return { ok: true as const, id: String(t._id) };
  } catch (err) {
    if (isDuplicateKey(err)) return { ok: false as const, field: 'name', key: 'workshops.errors.taskTaken' };
    throw err;
  }
}

/** A new rate applies to work logged from now on; past entries keep the rate they copied. */
export async function changeRate(actor: Express.User, workshop: { _id: unknown; center: unknown }, taskId: string, rateFen: number, active: boolean) {
  const task = await getTask(String(workshop._id), taskId);
  await Task.updateOne({ _id: task._id }, { $set: { rateFen, active } });
  await audit(actor, {
    action: 'workshop.task.rate',
    targetType: 'task',
    targetId: taskId,
    center: String(workshop.center),
    details: { from: task.rateFen, to: rateFen, active },
  });
}

// ---- members and the training gate ----

export function trainingOf(w: { trainingCategory?: string | null; trainingCourses?: unknown[] | null }) {
  return { category: w.trainingCategory || null, courseIds: (w.trainingCourses ?? []).map(String) };
}

export function requiresTraining(w: { trainingCategory?: string | null; trainingCourses?: unknown[] | null }): boolean {
  return !!w.trainingCategory || (w.trainingCourses ?? []).length > 0;
}

export async function getMembership(workshopId: string, residentId: string) {
  return Membership.findById(membershipId(workshopId, residentId)).lean();
}

export async function listMembers(workshopId: string) {
  return Membership.find({ workshop: new Types.ObjectId(workshopId) })
    .sort({ residentName: 1 })
    .lean();
}

// Recorded as in flight: a crash between the membership and its roster line rebuilds this workshop's roster alone.
function insertMembership(w: { _id: unknown }, resident: { _id: unknown; name: string; phone: string }, extra: Record<string, unknown> = {}) {
  return inFlight('roster', String(w._id), () => addMember(w, resident, extra));
}

async function addMember(w: { _id: unknown }, resident: { _id: unknown; name: string; phone: string }, extra: Record<string, unknown>) {
  let m: { _id: unknown; resident: unknown; joinedAt: Date };
  try {
    m = await Membership.create({
      _id: membershipId(String(w._id), String(resident._id)),
      workshop: new Types.ObjectId(String(w._id)),
      resident: new Types.ObjectId(String(resident._id)),
      residentName: resident.name,
      residentPhone: resident.phone,
      ...extra,
    });
  } catch (err) {
    if (isDuplicateKey(err)) return false; // already a member: joining twice is harmless
    throw err;
  }
  // Their work station on the wall board: the next number in the workshop's roster.
  await rosterJoined(String(w._id), m);
  return true;
}

export type JoinResult = { status: 'joined' | 'already' } | { status: 'needsTraining' };

/** A resident asks to join: admitted at once if trained, else told which course to take. */
export async function join(user: Express.User, workshopId: string): Promise<JoinResult> {
  const w = await getWorkshop(workshopId);
  if (!w.active) throw new Refusal('conflict', 'errors.conflict');
  if (await getMembership(workshopId, user.id)) return { status: 'already' };
  if (requiresTraining(w) && !(await hasCompleted(user.id, trainingOf(w)))) return { status: 'needsTraining' };
  const created = await insertMembership(w, { _id: new Types.ObjectId(user.id), name: user.name, phone: user.phone });
  if (created) await notify(user.id, 'workshopJoined', { workshop: w.name }, `/me/work`);
  return { status: created ? 'joined' : 'already' };
}

export type AdmitResult = { ok: true; override: boolean; already: boolean } | { ok: false; field: string; key: string };

/** Staff admit a resident; without the training only with a written reason (audited). */
export async function admit(
  actor: Express.User,
  w: { _id: unknown; center: unknown; name: string; trainingCategory?: string | null; trainingCourses?: unknown[] | null },
  phone: string,
  reason: string,
): Promise<AdmitResult> {
  const resident = await User.findOne({ phone }, { name: 1, phone: 1, role: 1, homeCenter: 1 }).lean();
  // Out-of-scope residents answer like unknown ones (issue 14, findings 4 and 9).
  if (resident?.role !== 'resident' || !(await canActOnResident(actor, resident))) return { ok: false, field: 'phone', key: 'workshops.errors.noResident' };
  const trained = !requiresTraining(w) || (await hasCompleted(String(resident._id), trainingOf(w)));
  if (!trained && reason.trim().length < 4) return { ok: false, field: 'reason', key: 'workshops.errors.reasonRequired' };
  const created = await insertMembership(w, resident, {
    override: !trained,
    overrideReason: trained ? '' : reason.trim(),
    admittedBy: new Types.ObjectId(actor.id),
  });
  if (created) {
    await audit(actor, {
      action: trained ? 'workshop.member.admit' : 'workshop.member.override',
      targetType: 'user',
      targetId: String(resident._id),
      center: String(w.center),
      details: { workshop: String(w._id), reason: trained ? undefined : reason.trim() },
    });
    await notify(String(resident._id), 'workshopJoined', { workshop: w.name }, `/me/work`);
  }
  return { ok: true, override: !trained, already: !created };
}

/** Workshop lead or staff whose scope covers the workshop's center. */
export function isLead(user: Express.User | undefined, w: { lead?: unknown }): boolean {
  return !!user && !!w.lead && String(w.lead) === user.id;
}

/** Adds uploaded photos (at most 6 are kept, newest last). */
/** Takes a photo off the workshop page and deletes the file; audited. False when it is not one of its photos. */
export async function removePhoto(actor: Express.User, w: { _id: unknown; center: unknown; photos?: string[] | null }, url: string): Promise<boolean> {
  if (!(w.photos ?? []).includes(url)) return false;
  await Workshop.updateOne({ _id: w._id }, { $set: { photos: (w.photos ?? []).filter((p) => p !== url) } });
  const fileId = /^\/files\/([\w-]+)$/.exec(url)?.[1]; // random ids (issue 14) and older ObjectId ones
  if (fileId) await deleteFile(fileId).catch(() => {});
  await audit(actor, { action: 'workshop.photos.delete', targetType: 'workshop', targetId: String(w._id), center: String(w.center), details: { photo: url } });
  return true;
}

export async function addPhotos(actor: Express.User, w: { _id: unknown; center: unknown; photos?: string[] | null }, urls: string[]): Promise<void> {
  const photos = [...(w.photos ?? []), ...urls].slice(-6);
  await Workshop.updateOne({ _id: w._id }, { $set: { photos } });
  await audit(actor, { action: 'workshop.photos', targetType: 'workshop', targetId: String(w._id), center: String(w.center), details: { added: urls.length } });
}

/** An inactive workshop's board is shown only to those who run it (issue 14, finding 10). */
export async function mayWatchBoard(user: Express.User | undefined, w: { active?: boolean | null; lead?: unknown; center: unknown }): Promise<boolean> {
  return !!w.active || isLead(user, w) || (await canActOnCenter(user, String(w.center)));
}

/** The rule of a workshop's live socket room: the same as for its board page. */
export async function mayWatchBoardRoom(user: Express.User | undefined, workshopId: string): Promise<boolean> {
  const w = await getWorkshop(workshopId).catch(() => null);
  return !!w && (await mayWatchBoard(user, w));
}
