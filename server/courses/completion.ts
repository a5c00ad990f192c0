import { isObjectId } from '../lib/ids.ts';
import { Types } from 'mongoose';
import { Completion } from '../../models/completion.ts';

export type TrainingRequirement = { courseIds?: string[]; category?: string | null };

/**
 * The workshops' training gate: has this resident completed the given course (by id), any
 * of the given courses, or any course of the given category?
 */
export async function hasCompleted(residentId: string, requirement: string | TrainingRequirement): Promise<boolean> {
  if (!isObjectId(residentId)) return false;
  const req: TrainingRequirement =
    typeof requirement === 'string' ? (isObjectId(requirement) ? { courseIds: [requirement] } : { category: requirement }) : requirement;
  const or: Record<string, unknown>[] = [];
  if (req.courseIds?.length) or.push({ course: { $in: req.courseIds.map((id) => new Types.ObjectId(id)) } });
  if (req.category) or.push({ category: req.category });
  if (!or.length) return true; // no training required
  const found = await Completion.findOne({ resident: new Types.ObjectId(residentId), $or: or }, { _id: 1 }).lean();
  return !!found;
}
