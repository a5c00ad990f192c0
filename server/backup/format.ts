// The backup file: one gzip'd stream of lines, each a JSON value.
//
//   {"format":"doorstep-backup","version":1,...}         header
//   {"$collection":"ledgerentries"}                       a collection starts
//   {"_id":{"$oid":"…"},…}                                its documents, canonical Extended JSON
//   {"$end":"ledgerentries","count":60000,"sha256":"…"}   count and SHA-256 of its document lines
//   …
//   {"$manifest":{…},"sha256":"…"}                        every collection, and the SHA-256 of all
//                                                          lines above (header and markers too)
//
// Why a logical dump: it restores into FerretDB and into any MongoDB alike (the way a center
// moves to a replica set), survives engine upgrades, and can be read with zcat and a text editor.
// A copy of the engine's files would only ever restore into the same engine and version.
// Canonical (not relaxed) EJSON keeps every BSON type exactly: ints stay ints, dates stay
// dates, GridFS chunks stay binary. Documents never have top-level keys starting with `$`
// (docs/ARCHITECTURE.md), so a line starting with `{"$` is always a marker.
import fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createHash, type Hash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';

export const FORMAT = 'doorstep-backup';
export const VERSION = 1;

export interface Header {
  format: typeof FORMAT;
  version: number;
  createdAt: string;
  database: string;
  collections: string[];
}

export interface CollectionSum {
  name: string;
  count: number;
  sha256: string;
}

export interface Manifest {
  createdAt: string;
  finishedAt: string;
  database: string;
  collections: CollectionSum[];
  documents: number;
}

export class BackupInvalidError extends Error {}

export type Entry =
  | { type: 'header'; header: Header }
  | { type: 'collection'; name: string }
  | { type: 'doc'; collection: string; line: string }
  | { type: 'end'; sum: CollectionSum }
  | { type: 'manifest'; manifest: Manifest };

/** Keeps the running checksums: the dump builds its lines with it, the reader re-checks with it. */
export class LineHasher {
  private whole: Hash = createHash('sha256');
  private current: { name: string; count: number; hash: Hash } | undefined;
  readonly sums: CollectionSum[] = [];

  /** A header or marker line (counted in the whole-file checksum only). */
  marker(line: string): string {
    const text = `${line}\n`;
    this.whole.update(text);
    return text;
  }
  begin(name: string): void {
    this.current = { name, count: 0, hash: createHash('sha256') };
  }
  doc(line: string): string {
    const text = `${line}\n`;
    this.current!.count += 1;
    this.current!.hash.update(text);
    this.whole.update(text);
    return text;
  }
  end(): CollectionSum {
    const c = this.current!;
    const sum = { name: c.name, count: c.count, sha256: c.hash.digest('hex') };
    this.sums.push(sum);
    this.current = undefined;
    return sum;
  }
  /** The digest of every line so far; call once, at the end. */
  total(): string {
    return this.whole.digest('hex');
  }
}

export const markers = {
  begin: (name: string) => JSON.stringify({ $collection: name }),
  end: (sum: CollectionSum) => JSON.stringify({ $end: sum.name, count: sum.count, sha256: sum.sha256 }),
  manifest: (manifest: Manifest, sha256: string) => JSON.stringify({ $manifest: manifest, sha256 }),
};

/** The lines of a gzip'd file; a damaged or cut-off gzip stream throws. */
async function* gzLines(file: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  const source = fs.createReadStream(file);
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of gunzip) {
      rest += decoder.write(chunk as Buffer);
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        yield rest.slice(0, nl);
        rest = rest.slice(nl + 1);
      }
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new BackupInvalidError(`no such file: ${file}`);
    throw new BackupInvalidError(`the file is cut off or damaged (${e.code === 'Z_BUF_ERROR' ? 'it ends too early' : e.message}); use another backup`);
  }
  rest += decoder.end();
  if (rest) throw new BackupInvalidError('the file is cut off: its last line is incomplete; use another backup');
}

function parseMarker(line: string, at: number): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new BackupInvalidError(`line ${at} is not valid JSON: the file was changed or damaged`);
  }
}

/**
 * Reads a backup and checks it as it goes: every count and checksum against the file's own
 * markers and manifest. The first problem throws BackupInvalidError with a message for people.
 * A consumer that writes while reading must read the whole file once first (`verifyBackup`):
 * a problem may only show at the very end.
 */
export async function* readBackup(file: string): AsyncGenerator<Entry> {
  const check = new LineHasher();
  let at = 0;
  let inside: string | undefined;
  let manifest: Manifest | undefined;
  for await (const line of gzLines(file)) {
    at += 1;
    if (manifest) throw new BackupInvalidError(`unexpected data after the manifest (line ${at}): the file was changed`);
    if (at === 1) {
      const h = parseMarker(line, at) as unknown as Header;
      if (h.format !== FORMAT) throw new BackupInvalidError('this is not a Doorstep backup file');
      if (h.version !== VERSION) throw new BackupInvalidError(`backup format version ${h.version} is not supported (this version reads ${VERSION})`);
      check.marker(line);
      yield { type: 'header', header: h };
      continue;
    }
    if (inside !== undefined && !line.startsWith('{"$')) {
      check.doc(line);
      yield { type: 'doc', collection: inside, line };
      continue;
    }
    const m = parseMarker(line, at);
    if (typeof m.$collection === 'string' && inside === undefined) {
      inside = m.$collection;
      check.marker(line);
      check.begin(inside);
      yield { type: 'collection', name: inside };
    } else if (typeof m.$end === 'string' && m.$end === inside) {
      const sum = check.end();
      check.marker(line);
      if (m.count !== sum.count) throw new BackupInvalidError(`collection ${inside}: the file says ${String(m.count)} documents but holds ${sum.count}`);
      if (m.sha256 !== sum.sha256) throw new BackupInvalidError(`collection ${inside}: checksum mismatch, its documents were changed or damaged`);
      inside = undefined;
      yield { type: 'end', sum };
    } else if (m.$manifest && inside === undefined) {
      const total = check.total();
      if (m.sha256 !== total) throw new BackupInvalidError('checksum mismatch: the file was changed after it was written');
      manifest = m.$manifest as Manifest;
      const listed = JSON.stringify(manifest.collections);
      if (listed !== JSON.stringify(check.sums)) throw new BackupInvalidError('the manifest does not match the collections in the file');
      yield { type: 'manifest', manifest };
    } else {
      throw new BackupInvalidError(`line ${at} is out of place: the file was changed or damaged`);
    }
  }
  if (at === 0) throw new BackupInvalidError('the file is empty');
  if (!manifest) {
    throw new BackupInvalidError(`the file is cut off${inside ? ` inside collection ${inside}` : ''}: it has no manifest at the end; use another backup`);
  }
}

/** Reads the whole file, changing nothing; returns its manifest or throws BackupInvalidError. */
export async function verifyBackup(file: string): Promise<Manifest> {
  let manifest: Manifest | undefined;
  for await (const e of readBackup(file)) if (e.type === 'manifest') manifest = e.manifest;
  return manifest!;
}
