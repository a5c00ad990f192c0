import type { Model } from 'mongoose';
import { isDuplicateKey } from './errors.ts';

// Numbered slots: "at most `max` of these for one owner" (a posting's places, a course's
// seats) as documents under deterministic `_id`s `<owner>:<n>`, n in 1..max. A claim is an
// insert, so the `_id` index refuses a taken number however many claims race (FerretDB's
// updates are read-then-write and cannot keep such a count); the slots are counted by reading
// each `_id`, never by a filter, which on FerretDB would read the whole collection.

/** A model whose documents have string `_id`s (the slot documents). */
// biome-ignore lint/suspicious/noExplicitAny: any model; the slot fields are the caller's
type SlotModel = Model<any>;

/** The `_id` of slot `n` of `owner`: `<owner>:<n>`. */
export function numberedSlotId(owner: string, n: number): string {
  return `${owner}:${n}`;
}

export interface ClaimNumberedSlotOptions {
  /** The number to try first (e.g. one past the last known count); the others follow in order, wrapping round to 1. */
  first?: number;
  /**
   * Told when slot `n` is refused, with its holder read by `_id` (`null`: the insert broke
   * another unique index of the model, e.g. the claimant already holds a slot). Throw to stop.
   */
  refused?: (n: number, holder: Record<string, unknown> | null) => void | Promise<void>;
}

/**
 * Claims a free slot of `owner` among 1..`max` by inserting `{ _id: <owner>:<n>, ...fields(n) }`.
 * Returns the number claimed, or 0 when every slot is taken. A write error other than a
 * duplicate key is thrown as is (the insert may have landed: the caller schedules a repair).
 */
export async function claimNumberedSlot(
  model: SlotModel,
  owner: string,
  max: number,
  fields: (n: number) => Record<string, unknown>,
  opts: ClaimNumberedSlotOptions = {},
): Promise<number> {
  const first = Math.min(Math.max(1, opts.first ?? 1), Math.max(1, max));
  for (let i = 0; i < max; i++) {
    const n = ((first - 1 + i) % max) + 1;
    const _id = numberedSlotId(owner, n);
    // A holder that vanished between the refusal and the read (freed meanwhile): try once more.
    for (let attempt = 0; ; attempt++) {
      try {
        await model.create({ _id, ...fields(n) });
        return n;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const holder = (await model.findById(_id).lean()) as Record<string, unknown> | null;
      if (holder || attempt > 0) {
        await opts.refused?.(n, holder);
        break;
      }
    }
  }
  return 0;
}

/** The slot documents of `owner` among 1..`max` (read by `_id`, in parallel), in number order. */
export async function numberedSlots<T = Record<string, unknown>>(
  model: SlotModel,
  owner: string,
  max: number,
  projection?: Record<string, 0 | 1>,
): Promise<T[]> {
  const ids = Array.from({ length: max }, (_, i) => numberedSlotId(owner, i + 1));
  const docs = await Promise.all(ids.map((id) => model.findById(id, projection ?? { _id: 1 }).lean()));
  return docs.filter((d): d is NonNullable<typeof d> => d != null) as T[];
}

/** How many of `owner`'s slots 1..`max` are taken (each read by `_id`, in parallel). */
export async function countNumberedSlots(model: SlotModel, owner: string, max: number): Promise<number> {
  return (await numberedSlots(model, owner, max)).length;
}
