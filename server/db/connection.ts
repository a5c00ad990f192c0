import mongoose from 'mongoose';
import { retryMalformedReads } from './read-retry.ts';

const POOL_SIZE = 16;

/**
 * Connects and builds every registered model's indexes before serving: the unique indexes
 * are what keep seats, headcounts and idempotency keys correct (DESIGN.md, "Database").
 */
export async function connectDatabase(uri: string): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  retryMalformedReads();
  // A small pool: more simultaneous commands than the database has cores only make them
  // fight over SQLite's lock under FerretDB (which, past ~100 at once, also returned malformed
  // find replies in the 200-enrolment trial). Requests beyond it queue in the driver.
  await mongoose.connect(uri, { autoIndex: false, serverSelectionTimeoutMS: 10_000, maxPoolSize: POOL_SIZE });
  await ensureIndexes();
  return mongoose;
}

export async function ensureIndexes(): Promise<void> {
  for (const name of mongoose.modelNames()) await mongoose.model(name).createIndexes();
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}
