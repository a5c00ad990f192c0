import mongoose from 'mongoose';
import { retryMalformedReads } from './read-retry.ts';
import { guardReplyOrder } from './reply-order.ts';
import { storeLog } from '../store/log.ts';

/**
 * Connects and builds every registered model's indexes before serving: the unique indexes
 * are what keep seats, headcounts and idempotency keys correct (docs/ARCHITECTURE.md, "The database engine").
 */
export async function connectDatabase(uri: string, opts: ConnectOptions = {}): Promise<typeof mongoose> {
  await openConnection(uri, opts);
  await ensureIndexes();
  return mongoose;
}

export interface ConnectOptions {
  /** Emit the driver's command events (tests record the commands a request issues). */
  monitorCommands?: boolean;
}

/** Connects with the engine's quirks guarded (reply order, malformed read replies); no index builds. */
export async function openConnection(uri: string, opts: ConnectOptions = {}): Promise<void> {
  mongoose.set('strictQuery', true);
  guardReplyOrder((info) => storeLog().warn(info, 'dropped a database reply meant for an earlier request'));
  retryMalformedReads();
  await mongoose.connect(uri, { autoIndex: false, serverSelectionTimeoutMS: 10_000, monitorCommands: opts.monitorCommands ?? false });
}

export async function ensureIndexes(): Promise<void> {
  for (const name of mongoose.modelNames()) await mongoose.model(name).createIndexes();
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}
