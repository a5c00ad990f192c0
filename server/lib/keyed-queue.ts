// Runs tasks one at a time per key. FerretDB applies $inc by read-modify-write, so the
// single app node in front of it must never race itself on the same summary document.
const tails = new Map<string, Promise<unknown>>();

export function runExclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
  const prev = tails.get(key) ?? Promise.resolve();
  const next = prev.then(task, task);
  const settled = next.catch(() => {});
  tails.set(key, settled);
  void settled.then(() => {
    if (tails.get(key) === settled) tails.delete(key);
  });
  return next;
}
