import { isDuplicateKey } from '../store/index.ts';
import { Types } from 'mongoose';
import { Center } from '../../models/center.ts';
import { audit } from '../audit/service.ts';

import { getCenter, invalidateCenters, subtreeIds } from './tree.ts';
import type { CenterInput, CenterContact } from './schemas.ts';

const PARENT_LEVEL = { city: null, town: 'city', village: 'town' } as const;

export type CenterResult = { ok: true; id: string } | { ok: false; field: string; key: string };

async function placement(
  input: CenterInput,
  selfId?: string,
): Promise<{ ok: true; parent: string | null; ancestors: string[] } | { ok: false; field: string; key: string }> {
  const want = PARENT_LEVEL[input.level];
  if (!want) return input.parent ? { ok: false, field: 'parent', key: 'centers.errors.cityNoParent' } : { ok: true, parent: null, ancestors: [] };
  const parent = input.parent ? await getCenter(input.parent) : undefined;
  if (!parent || parent.level !== want) return { ok: false, field: 'parent', key: `centers.errors.parentMustBe.${want}` };
  if (selfId && (parent.id === selfId || parent.ancestors.includes(selfId))) return { ok: false, field: 'parent', key: 'centers.errors.cycle' };
  return { ok: true, parent: parent.id, ancestors: [...parent.ancestors, parent.id] };
}

export async function createCenter(actor: Express.User, input: CenterInput): Promise<CenterResult> {
  const place = await placement(input);
  if (!place.ok) return place;
  try {
    const doc = await Center.create({ ...input, parent: place.parent, ancestors: place.ancestors });
    invalidateCenters();
    await audit(actor, { action: 'center.create', targetType: 'center', targetId: String(doc._id), center: String(doc._id), details: { name: input.name } });
    return { ok: true, id: String(doc._id) };
  } catch (err) {
    if (isDuplicateKey(err)) return { ok: false, field: 'name', key: 'centers.errors.duplicate' };
    throw err;
  }
}

export async function updateCenter(actor: Express.User, id: string, input: CenterInput): Promise<CenterResult> {
  const current = await getCenter(id);
  if (!current) return { ok: false, field: '_form', key: 'errors.notFound' };
  // Levels are fixed once created: moving a town under another city is allowed, turning it into a village is not.
  if (current.level !== input.level) return { ok: false, field: 'level', key: 'centers.errors.levelFixed' };
  const place = await placement(input, id);
  if (!place.ok) return place;
  try {
    await Center.updateOne({ _id: id }, { $set: { ...input, parent: place.parent, ancestors: place.ancestors } });
    if (current.parent !== place.parent) {
      // Re-root the subtree's materialized paths.
      const below = (await subtreeIds(id)).filter((x) => x !== id);
      for (const childId of below) {
        const child = await getCenter(childId);
        const tail = child!.ancestors.slice(child!.ancestors.indexOf(id));
        await Center.updateOne({ _id: childId }, { $set: { ancestors: [...place.ancestors, ...tail].map((a) => new Types.ObjectId(a)) } });
      }
    }
    invalidateCenters();
    await audit(actor, { action: 'center.update', targetType: 'center', targetId: id, center: id, details: { name: input.name } });
    return { ok: true, id };
  } catch (err) {
    if (isDuplicateKey(err)) return { ok: false, field: 'name', key: 'centers.errors.duplicate' };
    throw err;
  }
}

/** Staff of a center (or above it) keep its address, hours and phone current; audited. */
export async function updateCenterContact(actor: Express.User, id: string, input: CenterContact): Promise<void> {
  await Center.updateOne({ _id: id }, { $set: input });
  invalidateCenters();
  await audit(actor, { action: 'center.contact', targetType: 'center', targetId: id, center: id, details: { ...input } });
}
