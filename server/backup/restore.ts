// Restores a backup into the database mongoose is connected to (embedded engine or any MongoDB).
import path from 'node:path';
import mongoose from 'mongoose';
import { verifyBackup, readBackup, BackupInvalidError, type Manifest } from './format.ts';
import { SKIPPED } from './dump.ts';
import { auditBackup } from './service.ts';
import { ensureIndexes } from '../db/connection.ts';
import { repairEverything } from '../recovery.ts';
import { invalidateCenters } from '../centers/tree.ts';
import { forgetAllCaches } from '../store/index.ts';

type Db = mongoose.mongo.Db;
const { EJSON } = mongoose.mongo.BSON;

export class NotEmptyError extends Error {
  readonly collections: string[];
  constructor(collections: string[]) {
    super(
      `the database is not empty (${collections.join(', ')} hold data); restore refuses to mix two sets of data. Restore into an empty database, or pass --replace to delete what is there first`,
    );
    this.collections = collections;
  }
}

export interface Restored {
  manifest: Manifest;
  counts: { name: string; count: number }[];
  repaired: { slots: unknown; seats: unknown; summaries: number };
  ms: number;
}

/** Collections that hold data the restore would mix with (login sessions do not count). */
export async function nonEmptyCollections(db: Db): Promise<string[]> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const full: string[] = [];
  for (const name of names.filter((n) => !n.startsWith('system.') && !SKIPPED.has(n)).sort()) {
    if (await db.collection(name).findOne({}, { projection: { _id: 1 } })) full.push(name);
  }
  return full;
}

/** Inserts go in batches of at most this many documents or characters of EJSON. */
const BATCH_DOCS = 500;
const BATCH_CHARS = 8 * 1024 * 1024;

/**
 * Checks the whole file first (counts, checksums, manifest), so a cut-off or changed file is
 * refused before anything is written; then refuses a database that holds data unless `replace`;
 * then inserts, builds the indexes and runs the same repair as a restart after a crash.
 */
export async function restoreBackup(file: string, opts: { replace?: boolean; log?: (m: string) => void } = {}): Promise<Restored> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected to a database');
  const manifest = await verifyBackup(file);
  log(`checked ${file}: ${manifest.documents} documents in ${manifest.collections.length} collections, taken ${manifest.createdAt}`);

  const full = await nonEmptyCollections(db);
  if (full.length && !opts.replace) throw new NotEmptyError(full);
  if (opts.replace) {
    for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (!c.name.startsWith('system.'))
        await db
          .collection(c.name)
          .drop()
          .catch(() => {});
    }
    if (full.length) log(`deleted the data that was there (${full.join(', ')})`);
  }

  const counts: Restored['counts'] = [];
  let batch: mongoose.mongo.Document[] = [];
  let chars = 0;
  let current = '';
  let n = 0;
  const flush = async () => {
    if (batch.length) await db.collection(current).insertMany(batch, { ordered: true });
    batch = [];
    chars = 0;
  };
  for await (const e of readBackup(file)) {
    if (e.type === 'collection') {
      current = e.name;
      n = 0;
      await db.createCollection(e.name).catch(() => {}); // so empty collections come back too
    } else if (e.type === 'doc') {
      batch.push(EJSON.parse(e.line, { relaxed: false }) as mongoose.mongo.Document);
      chars += e.line.length;
      n += 1;
      if (batch.length >= BATCH_DOCS || chars >= BATCH_CHARS) await flush();
    } else if (e.type === 'end') {
      await flush();
      counts.push({ name: current, count: n });
      log(`  ${current.padEnd(24)} ${n}`);
    }
  }
  await ensureIndexes();
  if (counts.some((c) => c.name === 'files.chunks')) {
    await db.collection('files.chunks').createIndex({ files_id: 1, n: 1 }, { unique: true });
    await db.collection('files.files').createIndex({ filename: 1, uploadDate: 1 });
  }
  // This process may have cached what was there before (a restore from the tests or a tool).
  invalidateCenters();
  forgetAllCaches();
  // The dump is not one instant: derived counts are rebuilt from their source documents.
  const repaired = await repairEverything();
  await auditBackup('backup.restore', path.basename(file), {
    createdAt: manifest.createdAt,
    documents: manifest.documents,
    replaced: full.length ? full.join(' ') : 'nothing',
  });
  return { manifest, counts, repaired, ms: Date.now() - started };
}

export { BackupInvalidError };
