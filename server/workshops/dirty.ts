// Workshops whose derived records (summaries, board roster) may be off because an update failed
// half-way; the repair job (summaries.ts, summaryRepairJob) rebuilds them from the ledger and
// from memberships and orders. Its own module so that summaries.ts and roster.ts both use it.
const dirty = new Set<string>();

export function markDirty(workshopId: string): void {
  dirty.add(workshopId);
}

export function markClean(workshopId: string): void {
  dirty.delete(workshopId);
}

export function dirtyWorkshops(): string[] {
  return [...dirty];
}

export function hasDirtySummaries(): boolean {
  return dirty.size > 0;
}
