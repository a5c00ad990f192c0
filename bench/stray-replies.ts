// Stray database replies (issue 11 CI flake): FerretDB 1.24 answers every request, even one sent
// with moreToCome (an unacknowledged w:0 write), so such a write leaves a reply on its connection.
// This drives one connection with w:0 deletes followed by reads and counts reads that never get
// their answer. Usage: node bench/stray-replies.ts (embedded engine) [rounds]
import mongoose from 'mongoose';
import { startDatabase } from '../server/db/start.ts';
import { loadConfig } from '../server/config.ts';
import { guardReplyOrder, droppedReplies } from '../server/db/reply-order.ts';

const ROUNDS = Number(process.argv[2] ?? 500);
const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
const engine = await startDatabase(config, () => {}, { ephemeral: true, dbName: 'stray' });
guardReplyOrder();
await mongoose.connect(engine.uri, { maxPoolSize: 1 });
const coll = mongoose.connection.db!.collection('stray');
await coll.insertMany(Array.from({ length: 3000 }, (_, i) => ({ i, pad: 'x'.repeat(200) })));
let hung = 0;
let wrong = 0;
const started = Date.now();
for (let r = 0; r < ROUNDS; r++) {
  await coll.deleteMany({ i: -1 }, { writeConcern: { w: 0 } }); // scans 3,000 documents, answered late
  const t = setTimeout(() => {}, 0);
  clearTimeout(t);
  const doc = await Promise.race([coll.findOne({ i: r % 3000 }), new Promise((res) => setTimeout(() => res('hung'), 5000))]);
  if (doc === 'hung') {
    hung += 1;
    break; // the connection is stuck for good
  }
  if (!doc || (doc as { i?: number }).i !== r % 3000) wrong += 1;
}
process.stdout.write(`rounds ${ROUNDS}: hung ${hung}, wrong answers ${wrong}, stray replies dropped ${droppedReplies()}, ${Date.now() - started} ms\n`);
await mongoose.disconnect().catch(() => {});
await engine.stop();
process.exit(0);
