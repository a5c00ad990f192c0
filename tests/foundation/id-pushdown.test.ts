import assert from 'node:assert/strict';
import mongoose, { Types } from 'mongoose';

// The FerretDB build narrows any filter with a top-level `_id` to that one document in SQL and
// lets its handlers apply the rest of the filter (server/db/ferretdb-build.ts, patchFerretDB). These
// checks hold on every engine: what a guarded read or write returns is what MongoDB returns.
describe('engine: filters with _id and other conditions', () => {
  const oid = new Types.ObjectId();
  // biome-ignore lint/suspicious/noExplicitAny: raw documents with string and ObjectId ids
  const probe = () => mongoose.connection.db!.collection<any>('idpushdownprobe');

  beforeEach(async () => {
    await probe().deleteMany({});
    await probe().insertMany([
      { _id: 'a', status: 'pending', n: 1, tags: ['x', 'y'] },
      { _id: 'b', status: 'done', n: 2, tags: [] },
      { _id: oid, status: 'pending', n: 3 },
    ]);
  });

  it('finds and counts only when every condition holds', async () => {
    assert.equal((await probe().find({ _id: 'a', status: 'pending' }).toArray()).length, 1);
    assert.equal((await probe().find({ _id: 'a', status: 'done' }).toArray()).length, 0);
    assert.equal(await probe().countDocuments({ _id: 'a', n: { $gt: 0 } }), 1);
    assert.equal(await probe().countDocuments({ _id: 'a', n: { $gt: 1 } }), 0);
    assert.equal(
      (
        await probe()
          .find({ _id: 'a', $or: [{ status: 'x' }, { n: 1 }] })
          .toArray()
      ).length,
      1,
    );
    assert.equal((await probe().find({ _id: 'a', tags: 'y' }).toArray()).length, 1, 'equality matches an array element');
    assert.equal((await probe().find({ _id: 'b', tags: 'y' }).toArray()).length, 0);
    assert.equal((await probe().find({ _id: 'a', missing: null }).toArray()).length, 1, 'null matches a missing field');
    assert.equal((await probe().find({ _id: oid, status: 'pending' }).toArray()).length, 1);
    assert.equal((await probe().find({ _id: oid.toHexString(), status: 'pending' }).toArray()).length, 0, 'a string is not the ObjectId');
    assert.equal(
      (
        await probe()
          .aggregate([{ $match: { _id: 'a', status: 'pending' } }])
          .toArray()
      ).length,
      1,
    );
  });

  it('guarded writes change the document once and leave the others alone', async () => {
    assert.equal((await probe().updateOne({ _id: 'a', status: 'pending' }, { $set: { status: 'done' } })).modifiedCount, 1);
    assert.equal((await probe().updateOne({ _id: 'a', status: 'pending' }, { $set: { status: 'done' } })).modifiedCount, 0);
    assert.equal((await probe().deleteOne({ _id: 'b', status: 'pending' })).deletedCount, 0);
    assert.equal((await probe().deleteOne({ _id: 'b', status: 'done' })).deletedCount, 1);
    const after = await probe().findOneAndUpdate({ _id: oid, status: 'pending' }, { $inc: { n: 1 } }, { returnDocument: 'after' });
    assert.equal(after?.n, 4);
    await probe().updateOne({ _id: 'c', status: 'new' }, { $set: { n: 5 } }, { upsert: true });
    assert.deepEqual(await probe().findOne({ _id: 'c' }), { _id: 'c', status: 'new', n: 5 });
    assert.deepEqual(
      (
        await probe()
          .find({}, { projection: { status: 1 } })
          .sort({ n: 1 })
          .toArray()
      ).map((d) => d.status),
      ['done', 'pending', 'new'],
    );
  });

  it('on FerretDB, pushes the _id down to SQL when other conditions come with it', async function () {
    const info = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
    if (!info.ferretdbVersion) this.skip();
    const plan = await mongoose.connection.db!.command({ explain: { find: 'idpushdownprobe', filter: { _id: 'a', status: 'pending' } } });
    assert.equal(plan.filterPushdown, true, JSON.stringify(plan).slice(0, 400));
    assert.match(JSON.stringify(plan.queryPlanner), /USING INDEX/, 'SQLite reads the one row through the _id index');
  });

  it('reads an _id range between ObjectIds as MongoDB does, whatever other _id types the collection holds', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: raw documents with ids of every type
    const coll = mongoose.connection.db!.collection<any>('idrangeprobe');
    await coll.deleteMany({});
    const ids = [0, 10, 20, 30].map((s) => Types.ObjectId.createFromTime(1_700_000_000 + s));
    // The same second as ids[2], made later (an ObjectId's tail orders ids within a second).
    const sameSecond = new Types.ObjectId(`${ids[2]!.toHexString().slice(0, 8)}ffffffffffffffff`);
    await coll.insertMany([
      ...ids.map((_id, n) => ({ _id, n })),
      { _id: sameSecond, n: 4 },
      // Other _id types, which a range between ObjectIds never matches.
      { _id: 'zzz', n: 9 },
      { _id: '65', n: 9 },
      { _id: 7, n: 9 },
      { _id: { a: 1 }, n: 9 },
    ]);
    const found = async (filter: object) => (await coll.find(filter).toArray()).map((d) => d.n as number).sort();
    assert.deepEqual(await found({ _id: { $gte: ids[1] } }), [1, 2, 3, 4]);
    assert.deepEqual(await found({ _id: { $gt: ids[1] } }), [2, 3, 4]);
    assert.deepEqual(await found({ _id: { $lt: ids[2] } }), [0, 1]);
    assert.deepEqual(await found({ _id: { $lte: ids[2] } }), [0, 1, 2]);
    assert.deepEqual(await found({ _id: { $gte: ids[2], $lt: ids[3] } }), [2, 4]);
    assert.deepEqual(await found({ _id: { $gte: Types.ObjectId.createFromTime(1_700_000_005) } }), [1, 2, 3, 4], 'a bound between two ids');
    assert.deepEqual(await found({ _id: { $gte: ids[0] }, n: { $gt: 1 } }), [2, 3, 4], 'with another condition');
    assert.deepEqual(await found({ _id: { $gte: ids[3], $ne: ids[3] } }), [], 'with an operator not pushed down');
    assert.deepEqual(await found({ _id: { $gte: 'a' } }), [9], 'a string bound matches strings only');
    assert.equal(await coll.countDocuments({ _id: { $gte: ids[2] } }), 3);
    assert.equal((await coll.deleteMany({ _id: { $lt: ids[1] } })).deletedCount, 1);
    assert.deepEqual(await found({}), [1, 2, 3, 4, 9, 9, 9, 9]);
  });

  it('on FerretDB, reads an _id range through the _id index', async function () {
    const info = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
    if (!info.ferretdbVersion) this.skip();
    const since = Types.ObjectId.createFromTime(1_700_000_000);
    const plan = await mongoose.connection.db!.command({ explain: { find: 'idpushdownprobe', filter: { _id: { $gte: since }, status: 'pending' } } });
    assert.equal(plan.filterPushdown, true, JSON.stringify(plan).slice(0, 400));
    assert.match(JSON.stringify(plan.queryPlanner), /USING INDEX/, 'SQLite reads the range through the _id index');
  });
});
