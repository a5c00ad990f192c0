import mongoose from 'mongoose';

// Query operations that only read, so repeating one is harmless.
const READS = new Set(['find', 'findOne', 'countDocuments', 'distinct', 'estimatedDocumentCount']);

/**
 * FerretDB 1.24 now and then answers a `find` with a reply that has no `cursor` (the driver
 * throws MongoUnexpectedServerResponseError). The full trials met it about once in each
 * half-hour of load, also on a lone query right after a `dropDatabase`. Nothing was read or
 * written wrongly, so a read is simply asked again; writes are never repeated.
 */
export function isMalformedReply(err: unknown): boolean {
  return err instanceof mongoose.mongo.MongoUnexpectedServerResponseError;
}

export async function retryRead<T>(read: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !isMalformedReply(err)) throw err;
    }
  }
}

let installed = false;

/** Makes every mongoose read query retry a malformed reply (see isMalformedReply). */
export function retryMalformedReads(): void {
  if (installed) return;
  installed = true;
  type Exec = (this: mongoose.Query<unknown, unknown>, op?: string) => Promise<unknown>;
  const proto = mongoose.Query.prototype as unknown as { exec: Exec };
  const exec = proto.exec;
  proto.exec = function (this: mongoose.Query<unknown, unknown> & { op?: string }, op?: string) {
    if (!READS.has(op ?? this.op ?? '')) return exec.call(this, op);
    let attempt = 0;
    // A mongoose query runs once; a repeat runs a copy of it.
    return retryRead(() => exec.call(attempt++ === 0 ? this : this.clone(), op));
  };
}
