// How much a guarded write by _id costs as a collection grows, on a given FerretDB binary:
// `npm exec -- node bench/id-pushdown.ts [ferretdb binary]` (default: the cached build).
// Prints ms per findOne({_id}) and per updateOne({_id, status}) at 1,000 and 50,000 documents.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { defaultCacheDir, startEngine } from '../server/db/engine.ts';

const binary = process.argv[2];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushdown-bench-'));
const engine = await startEngine({ dataDir: dir, cacheDir: defaultCacheDir(), dbName: 'bench', ferretdbPath: binary, skip: ['mongod', 'memory-server'] });
const client = await MongoClient.connect(engine.uri);
const coll = client.db('bench').collection<{ _id: string; status: string; n: number }>('probe');

async function perOp(op: (i: number) => Promise<unknown>, runs = 200): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < runs; i++) await op(i);
  return (performance.now() - t) / runs;
}

let size = 0;
for (const target of [1_000, 50_000]) {
  while (size < target) {
    const batch = Array.from({ length: Math.min(5_000, target - size) }, (_, k) => ({ _id: `d${size + k}`, status: 'pending', n: 0 }));
    await coll.insertMany(batch);
    size += batch.length;
  }
  const find = await perOp((i) => coll.findOne({ _id: `d${(i * 37) % size}` }));
  const guarded = await perOp((i) => coll.updateOne({ _id: `d${(i * 41) % size}`, status: 'pending' }, { $inc: { n: 1 } }));
  console.log(`${target.toLocaleString('en')} docs: findOne({_id}) ${find.toFixed(2)} ms, updateOne({_id, status}) ${guarded.toFixed(2)} ms`);
}
await client.close();
await engine.stop();
fs.rmSync(dir, { recursive: true, force: true });
