import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { loggedIn, csrfFrom } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { dayKey } from '../../server/lib/format.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { addMember, key, seededShop } from './helpers.ts';

// Every write to the sessions collection, counted at the driver (what connect-mongo's set and
// touch end in), so the count cannot miss a path through express-session.
function countSessionWrites() {
  const proto = mongoose.mongo.Collection.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ['updateOne', 'replaceOne', 'insertOne', 'findOneAndUpdate', 'findOneAndReplace', 'deleteOne'];
  const originals = names.map((n) => proto[n]!);
  const counter = {
    writes: 0,
    restore: () => {
      for (const [i, n] of names.entries()) proto[n] = originals[i]!;
    },
  };
  names.forEach((n, i) => {
    proto[n] = function (this: { collectionName: string }, ...args: unknown[]) {
      if (this.collectionName === 'sessions') counter.writes += 1;
      return originals[i]!.apply(this, args);
    };
  });
  return counter;
}

describe('workshops: a piece-work POST does not write the session (issue 11.4)', () => {
  let shop: Awaited<ReturnType<typeof seededShop>>;
  let worker: { id: string; name: string };
  before(async function () {
    this.timeout(60_000);
    const ctx = await freshDemo();
    shop = await seededShop();
    worker = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await addMember(shop.id, worker.id);
  });

  it('logging pieces and reading the confirmation on the next page leaves the session store alone', async () => {
    const staff = await loggedIn('13800000001');
    const logPage = `/staff/workshops/${shop.id}/log`;
    const form = await staff.get(logPage);
    assert.equal(form.status, 200);
    const counter = countSessionWrites();
    let res: Awaited<ReturnType<typeof staff.get>>;
    let next: Awaited<ReturnType<typeof staff.get>>;
    try {
      res = await staff
        .post(`/staff/workshops/${shop.id}/entries`)
        .type('form')
        .send({
          workerId: worker.id,
          taskId: shop.tasks[0]!.id,
          counted: '7',
          rejected: '0',
          date: dayKey(),
          note: '',
          idempotencyKey: key('sess'),
          _csrf: csrfFrom(form.text),
        });
      assert.equal(res.status, 302, res.text);
      next = await staff.get(res.headers.location!);
    } finally {
      counter.restore();
    }
    assert.equal(await LedgerEntry.countDocuments({ workshop: shop.id, worker: worker.id }), 1, 'the entry was stored');
    // The confirmation still reaches the next page, once.
    assert.equal(next.status, 200);
    assert.match(next.text, /flash-success/);
    assert.match(next.text, new RegExp(worker.name));
    assert.equal(counter.writes, 0, 'no session write for the POST and the page after it');
    const again = await staff.get(res.headers.location!);
    assert.doesNotMatch(again.text, /flash-success/, 'a confirmation is shown once');
  });
});
