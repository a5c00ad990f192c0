import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { sessionSweepJob } from '../../server/http/session.ts';

// Expired sessions are deleted by a job with an acknowledged write (connect-mongo's own timer
// deletes with w:0, which FerretDB answers anyway: a stray reply on a pooled connection).
describe('sessions: the sweep job', () => {
  it('deletes expired sessions and keeps the others', async () => {
    const sessions = mongoose.connection.collection<{ _id: string; expires: Date }>('sessions');
    const tag = `sweep-${Date.now()}`;
    await sessions.insertMany([
      { _id: `${tag}-old`, expires: new Date(Date.now() - 60_000) },
      { _id: `${tag}-live`, expires: new Date(Date.now() + 3600_000) },
    ]);
    await sessionSweepJob.run();
    assert.equal(await sessions.countDocuments({ _id: `${tag}-old` }), 0);
    assert.equal(await sessions.countDocuments({ _id: `${tag}-live` }), 1);
    await sessions.deleteOne({ _id: `${tag}-live` });
  });
});
