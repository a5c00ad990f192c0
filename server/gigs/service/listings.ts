import { Posting } from '../../../models/posting.ts';
import { PostingListing } from '../../../models/posting-listing.ts';
import { dayKey } from '../../lib/format.ts';
import { isDuplicateKey } from '../../store/index.ts';
import { boardChanged } from './board.ts';

// Which postings the public lists show (models/posting-listing.ts): kept as postings enter and
// leave the list, mended from the postings themselves by the expiry job and at start-up.

/** A posting whose status and dates put it on the public list today. */
export function isOpen(p: { status?: string; endDay?: string } | null, today = dayKey()): boolean {
  return p?.status === 'published' && (p.endDay ?? '') >= today;
}

async function list(postingId: string): Promise<void> {
  try {
    await PostingListing.create({ _id: postingId });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/**
 * A posting entered the public list (published), left it (removed) or had its seats change:
 * the list and the lobby boards above it follow. Called after the posting's own write.
 */
export async function listingChanged(centerPath: unknown[] | undefined, postingId: string, action: 'published' | 'removed' | 'seats'): Promise<void> {
  if (action === 'published') await list(postingId);
  if (action === 'removed') await PostingListing.deleteOne({ _id: postingId });
  boardChanged(centerPath, postingId, action);
}

/** The ids on the list (a small collection: the postings open now, not all ever made). */
export async function listedIds(): Promise<string[]> {
  return (await PostingListing.find({}, { _id: 1 }).lean()).map((l) => String(l._id));
}

/**
 * Makes the list agree with `open`, the ids a read of the postings found open: a posting missing
 * from it (a crash between its write and its listing, a database from before listings) is added,
 * one that is no longer open is taken off. Each change is checked against the posting read again
 * by `_id`, so one published or closed since that read is left as its own write put it.
 */
export async function repairListings(open: string[], today = dayKey()): Promise<number> {
  const listed = new Set(await listedIds());
  const want = new Set(open);
  const check = [...[...want].filter((id) => !listed.has(id)), ...[...listed].filter((id) => !want.has(id))];
  let mended = 0;
  for (const id of check) {
    const p = await Posting.findById(id, { status: 1, endDay: 1 }).lean();
    if (isOpen(p, today) === listed.has(id)) continue;
    if (isOpen(p, today)) await list(id);
    else await PostingListing.deleteOne({ _id: id });
    mended += 1;
  }
  return mended;
}

/** Rebuilds the list from a read of all postings (the seed, generated data, a restored database). */
export async function rebuildListings(today = dayKey()): Promise<number> {
  const open = await Posting.find({ status: 'published', endDay: { $gte: today } }, { _id: 1 }).lean();
  return repairListings(
    open.map((p) => String(p._id)),
    today,
  );
}

/**
 * Listings came with this version: a database from before them has open postings and no list.
 * Built once at start-up (a database with a list is left alone: the expiry job mends it).
 */
export async function ensureListings(): Promise<boolean> {
  if (await PostingListing.exists({})) return false;
  return (await rebuildListings()) > 0;
}
