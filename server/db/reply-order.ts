import { createRequire } from 'node:module';

/**
 * The MongoDB driver reads "the next message" on a connection as the reply to the command it
 * just sent, without comparing the reply's `responseTo` with the request's id. Under heavy load
 * FerretDB 1.24 now and then leaves an extra reply on a connection; every later command on it
 * then reads the reply meant for the one before. Seen as: a `find` answered with no cursor (an
 * insert's reply), documents missing the fields asked for (another find's reply), and worst, a
 * seat insert refused by its unique index read as a success (a find's `ok: 1`): 21 confirmed
 * enrolments for 20 seats in the full concurrency trial.
 *
 * So a reply that answers an earlier request is dropped and the connection reads on to the
 * reply that answers this one. On MongoDB, whose replies always match, nothing changes.
 */
type Msg = { requestId?: number };
type Reply = { responseTo?: number; moreToCome?: boolean };
type ConnectionProto = {
  writeCommand(this: ConnectionProto, command: Msg, options: unknown): Promise<void>;
  readMany(this: ConnectionProto, options: unknown): AsyncGenerator<Reply>;
};

const SENT = Symbol('doorstep.lastRequestId');
let installed = false;
let dropped = 0;

/** How many out-of-order replies were dropped since start (for logs and tests). */
export function droppedReplies(): number {
  return dropped;
}

export function guardReplyOrder(onDrop: (info: { expected: number; got: number | undefined }) => void = () => {}): void {
  if (installed) return;
  installed = true;
  // The driver mongoose itself uses (it may carry its own copy of the mongodb package).
  const fromMongoose = createRequire(createRequire(import.meta.url).resolve('mongoose'));
  const { Connection } = fromMongoose('mongodb/lib/cmap/connection.js') as { Connection: { prototype: ConnectionProto } };
  const proto = Connection.prototype as ConnectionProto & { [SENT]?: number };
  const writeCommand = proto.writeCommand;
  const readMany = proto.readMany;
  proto.writeCommand = function (this: ConnectionProto & { [SENT]?: number }, command, options) {
    // A compressed request wraps the original, which carries the id the reply will name.
    const id = command.requestId ?? (command as { command?: Msg }).command?.requestId;
    if (typeof id === 'number') this[SENT] = id;
    return writeCommand.call(this, command, options);
  };
  proto.readMany = async function* (this: ConnectionProto & { [SENT]?: number }, options) {
    const expected = this[SENT];
    let first = true;
    for await (const reply of readMany.call(this, options)) {
      // Only a first reply names our request; the rest of a moreToCome stream name the previous reply.
      if (first && typeof expected === 'number' && typeof reply.responseTo === 'number' && reply.responseTo !== expected) {
        dropped += 1;
        onDrop({ expected, got: reply.responseTo });
        // Marked as "more to come", the driver's reader goes on to the next message of the same
        // read. Starting a new read instead would lose our reply when it came in the same chunk
        // as the stray one: it sits in the old read's queue, and the command waits for ever.
        reply.moreToCome = true;
        continue;
      }
      first = false;
      yield reply;
    }
  };
}
