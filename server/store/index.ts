// The persistence seam: what the database engine forces on the design lives here, so services
// say what they need in domain terms (see docs/ARCHITECTURE.md): declared read-through caches,
// login sessions kept on a single node, per-key queues (exclusive across nodes with REDIS_URL) and group commit over them, and reads asked again after a malformed reply.
export * from './caches.ts';
export * from './queues.ts';
export { CacheLoadError, declaredCaches, forgetAllCaches } from './cache.ts';
export { setStoreLogger, storeLog } from './log.ts';
export { connectNodeLocks, redisNodeLocks, useNodeLocks } from './locks.ts';
export { retryRead } from '../db/read-retry.ts';
export { isDuplicateKey } from './errors.ts';
export { createdSince } from './created.ts';
export { endSessionsOf, sessionStore } from './sessions.ts';
export { claimNumberedSlot, countNumberedSlots, numberedSlotId, numberedSlots, type ClaimNumberedSlotOptions } from './slots.ts';
export { groupCommit, type GroupCommit } from './batches.ts';
export { inFlight, journalWritten, readJournal, startJournal, stopJournal, type JournalFamily, type OpenKey } from './journal.ts';
