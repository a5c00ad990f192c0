import { Refusal } from '../../lib/refusal.ts';
import { subtreeIds } from '../../centers/tree.ts';
import { emit, rooms } from '../../realtime/hub.ts';
import { openPostings } from './search.ts';

/** Tells the lobby boards of every center above a posting that it changed (they refresh live). */
export function boardChanged(centerPath: unknown[] | undefined, postingId: string, action: 'published' | 'removed' | 'seats'): void {
  const ids = (centerPath ?? []).map(String);
  if (ids.length)
    emit(
      ids.map((c) => rooms.board(c)),
      'board:changed',
      { postingId, action },
    );
}

export async function boardPostings(centerId: string) {
  const ids = await subtreeIds(centerId);
  if (!ids.length) throw new Refusal('not-found', 'errors.notFound');
  return (await openPostings()).filter((p) => (p.centerPath ?? []).some((c) => String(c) === centerId)).slice(0, 60);
}
