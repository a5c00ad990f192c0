/** A write refused by a unique index: how the engine tells us an invariant held (docs/ARCHITECTURE.md). */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number })?.code === 11000;
}
