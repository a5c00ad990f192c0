// Writes a backup of a live database (format.ts) without stopping the site.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import mongoose from 'mongoose';
import { FORMAT, VERSION, LineHasher, markers, type Manifest } from './format.ts';

type Db = mongoose.mongo.Db;
const { EJSON } = mongoose.mongo.BSON;

/** Left out: login sessions (people log in again) and the backup runs' own bookkeeping. */
export const SKIPPED = new Set(['sessions', 'backupruns']);

/**
 * Neither engine gives a point-in-time read here (FerretDB has no snapshots), so the dump reads
 * collections one after another while the site writes. The order keeps every reference valid:
 * a collection is read before the collections it points to, so whatever a document read earlier
 * refers to already existed, and is read, later (nothing referred to is ever deleted while
 * referenced). Ledger entries are read before workshops, tasks and users; postings before their
 * GridFS files; a file's metadata (written last by GridFS) before its chunks. Derived data (work
 * summaries, slot and seat counts) may be a few writes apart from its sources; restore rebuilds
 * it with the same repair a restart after a crash runs.
 */
const READ_LAST = ['PayPeriod', 'Order', 'Posting', 'Course', 'Task', 'Workshop', 'Employer', 'Category', 'User', 'Center'];

export function dumpOrder(names: string[]): string[] {
  const last = READ_LAST.flatMap((m) => (mongoose.modelNames().includes(m) ? [mongoose.model(m).collection.collectionName] : []));
  last.push('files.files', 'files.chunks');
  const wanted = names.filter((n) => !n.startsWith('system.') && !SKIPPED.has(n));
  const first = wanted.filter((n) => !last.includes(n)).sort();
  return [...first, ...last.filter((n) => wanted.includes(n))];
}

/** Lines are joined into chunks of about this many characters before they reach gzip. */
const CHUNK = 256 * 1024;

async function* lines(db: Db, out: { manifest?: Manifest }, log: (m: string) => void): AsyncGenerator<string> {
  const names = dumpOrder((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const createdAt = new Date().toISOString();
  const hasher = new LineHasher();
  let buf = hasher.marker(JSON.stringify({ format: FORMAT, version: VERSION, createdAt, database: db.databaseName, collections: names }));
  let documents = 0;
  for (const name of names) {
    buf += hasher.marker(markers.begin(name));
    hasher.begin(name);
    const started = Date.now();
    // Small batches: the cursor holds no lock between them, so writers wait at most a moment.
    // GridFS chunks are 255 KiB each: a few at a time keeps the app's memory flat.
    const cursor = db.collection(name).find({}, { batchSize: name === 'files.chunks' ? 8 : 500 });
    for await (const doc of cursor) {
      buf += hasher.doc(EJSON.stringify(doc, { relaxed: false }));
      documents += 1;
      if (buf.length >= CHUNK) {
        yield buf;
        buf = '';
      }
    }
    const sum = hasher.end();
    buf += hasher.marker(markers.end(sum));
    log(`${name}: ${sum.count} documents in ${Date.now() - started} ms`);
  }
  const manifest: Manifest = { createdAt, finishedAt: new Date().toISOString(), database: db.databaseName, collections: hasher.sums, documents };
  out.manifest = manifest;
  yield `${buf + markers.manifest(manifest, hasher.total())}\n`;
}

export interface Written {
  file: string;
  size: number;
  manifest: Manifest;
  ms: number;
}

/**
 * Writes to `<file>.<pid>.tmp`, flushes it to disk, then renames it: a crash or a full disk
 * mid-backup leaves a .tmp file (removed later) and never a file with the final name.
 */
export async function writeBackup(db: Db, file: string, log: (m: string) => void = () => {}): Promise<Written> {
  const started = Date.now();
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const out: { manifest?: Manifest } = {};
  try {
    await pipeline(Readable.from(lines(db, out, log)), createGzip({ level: 6 }), fs.createWriteStream(tmp, { flags: 'wx' }));
    const handle = await fsp.open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, file);
    await syncDir(path.dirname(file));
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  const { size } = await fsp.stat(file);
  return { file, size, manifest: out.manifest!, ms: Date.now() - started };
}

/** Makes the rename itself durable (a power cut right after must not undo it). */
async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    /* some filesystems (e.g. FAT on a USB stick) cannot sync a directory */
  } finally {
    await handle.close();
  }
}
