import mongoose from 'mongoose';
import { retryMalformedReads } from './read-retry.ts';

/**
 * Connects and builds every registered model's indexes before serving: the unique indexes
 * are what keep seats, headcounts and idempotency keys correct (docs/ARCHITECTURE.md, "The database engine").
 */
export async function connectDatabase(uri: string): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  retryMalformedReads();
  await mongoose.connect(uri, { autoIndex: false, serverSelectionTimeoutMS: 10_000 });
  await ensureIndexes();
  return mongoose;
}

export async function ensureIndexes(): Promise<void> {
  for (const name of mongoose.modelNames()) await mongoose.model(name).createIndexes();
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}
