import assert from 'node:assert/strict';
import mongoose, { Types } from 'mongoose';

// The FerretDB build narrows any filter with a top-level `_id` to that one document in SQL and
// lets its handlers apply the rest of the filter (server/db/engine.ts, patchFerretDB). These
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
});
