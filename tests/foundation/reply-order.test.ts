import assert from 'node:assert/strict';
import net from 'node:net';
import mongoose from 'mongoose';
import { testDatabaseUri } from '../helpers/cluster.ts';
import { droppedReplies } from '../../server/db/reply-order.ts';

/**
 * A proxy between the driver and the database that sends the reply to one marked command twice,
 * as FerretDB now and then does under load. Without server/db/reply-order.ts the next command on
 * that connection reads the stray copy as its own answer.
 */
async function duplicatingProxy(target: { host: string; port: number }, marker: string, sameChunk = false) {
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const marked = new Set<number>();
    client.on('data', (chunk: Buffer) => {
      // A request carrying the marker (in its comment) has its id noted; its reply is doubled.
      if (chunk.includes(marker)) marked.add(chunk.readInt32LE(4));
      upstream.write(chunk);
    });
    let pending = Buffer.alloc(0);
    let held: Buffer | undefined;
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const message = pending.subarray(0, pending.readInt32LE(0));
        pending = pending.subarray(message.length);
        // sameChunk: the stray copy waits for the next reply and both go out in one write, as
        // when the driver reads a socket that received both (a busy event loop).
        client.write(held ? Buffer.concat([held, message]) : message);
        held = undefined;
        if (marked.delete(message.readInt32LE(8))) {
          if (sameChunk) held = Buffer.from(message);
          else client.write(message);
        }
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(r)) };
}

describe('database replies are matched to their requests', function () {
  this.timeout(30_000);

  for (const sameChunk of [false, true]) {
    it(`drops a stray reply instead of handing it to the next command on the connection${sameChunk ? ', also when both arrive in one chunk' : ''}`, () =>
      strayReply(sameChunk));
  }

  async function strayReply(sameChunk: boolean) {
    const url = new URL(testDatabaseUri());
    const proxy = await duplicatingProxy({ host: url.hostname, port: Number(url.port) }, 'reply-twice', sameChunk);
    const client = new mongoose.mongo.MongoClient(`mongodb://127.0.0.1:${proxy.port}${url.pathname}?directConnection=true`, { maxPoolSize: 1 });
    try {
      const col = client.db().collection<{ _id: string; v: number }>('reply_order_probe');
      await col.deleteMany({});
      await col.insertMany([
        { _id: 'a', v: 1 },
        { _id: 'b', v: 2 },
      ]);
      const before = droppedReplies();
      assert.equal((await col.findOne({ _id: 'a' }, { comment: 'reply-twice' }))?.v, 1);
      // The connection now holds a second copy of the answer about "a" (in one chunk with the next answer).
      const next = await Promise.race([col.findOne({ _id: 'b' }), new Promise((r) => setTimeout(() => r('no answer within 5 s'), 5000))]);
      assert.equal((next as { v?: number } | null)?.v, 2, `the next command gets its own answer (got ${JSON.stringify(next)})`);
      assert.equal(await col.countDocuments({}), 2);
      assert.equal(droppedReplies(), before + 1, 'the stray copy was dropped');
    } finally {
      await client
        .db()
        .collection('reply_order_probe')
        .drop()
        .catch(() => {});
      await client.close(true);
      await proxy.close();
    }
  }
});
