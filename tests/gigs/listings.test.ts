import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { agent } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { commandsOf } from '../helpers/commands.ts';
import { inDays, publishedPosting } from './helpers.ts';
import { Posting } from '../../models/posting.ts';
import { PostingListing } from '../../models/posting-listing.ts';
import { expirePostings } from '../../server/gigs/service/lifecycle.ts';
import { ensureListings, listedIds, repairListings } from '../../server/gigs/service/listings.ts';
import { openPostings } from '../../server/store/index.ts';
import { repairEverything } from '../../server/recovery.ts';
import type { SeedContext } from '../../server/seed/index.ts';

// The public job list reads the postings open now by `_id` (models/posting-listing.ts), not a
// filter over every posting ever made, whose cost on FerretDB grows with the years.

describe('gigs: the public list of open postings', function () {
  this.timeout(120_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });

  const onList = async (title: string) => {
    openPostings.dropAll();
    return (await agent().get('/gigs')).text.includes(title);
  };

  it('is read without a filter over the postings: each listed posting by _id', async () => {
    await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '按编号读的零工' });
    openPostings.dropAll();
    const { commands } = await commandsOf(() => agent().get('/gigs'));
    const postingReads = commands.filter((c) => c.collection === 'postings');
    assert.ok(postingReads.length > 0, 'the postings are read');
    const filtered = postingReads.filter((c) => c.filters.some((f) => !Types.ObjectId.isValid(String(f._id)) || Object.keys(f).length !== 1));
    assert.deepEqual(filtered, [], 'every read of postings is a lone _id match');
    assert.ok(await onList('按编号读的零工'));
  });

  it('a reload with no posting changed reads the listing ids alone; a posting changed shows at once', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '留在内存的零工' });
    assert.ok(await onList('留在内存的零工'));
    openPostings.dropAll();
    const again = await commandsOf(() => agent().get('/gigs'));
    assert.deepEqual(
      again.commands.filter((c) => c.collection === 'postings'),
      [],
      'the listed postings were kept from the last reload',
    );
    assert.equal(again.commands.filter((c) => c.collection === 'postinglistings').length, 1);
    await Posting.updateOne({ _id: id }, { $set: { title: '改过名的零工' } });
    assert.ok(await onList('改过名的零工'), 'a write through the Posting model drops the kept fields');
  });

  it('an expired posting goes off the list with its listing', async () => {
    const open = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '会过期的零工' });
    assert.ok(await onList('会过期的零工'));
    await Posting.updateOne({ _id: open }, { $set: { endDay: inDays(-1), startDay: inDays(-3) } });
    assert.equal(await expirePostings(), 1);
    assert.ok(!(await onList('会过期的零工')), 'expired: off the list');
    assert.ok(!(await listedIds()).includes(open), 'and its listing is gone');
  });

  it('the expiry job mends the list: a posting published without its listing is added, a closed one taken off', async () => {
    // As a crash between the posting's write and its listing would leave them.
    const missing = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '漏登的零工' });
    await PostingListing.deleteOne({ _id: missing });
    const stale = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '已关闭的零工' });
    await Posting.updateOne({ _id: stale }, { $set: { status: 'closed' } });
    assert.ok(!(await onList('漏登的零工')), 'without its listing the posting is not shown');
    assert.ok((await listedIds()).includes(stale));
    await expirePostings();
    const ids = await listedIds();
    assert.ok(ids.includes(missing), 'the missing listing was added');
    assert.ok(!ids.includes(stale), 'the closed posting was taken off');
    assert.ok(await onList('漏登的零工'));
  });

  it('a repair from an older read leaves a posting published since on the list', async () => {
    const fresh = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, { title: '刚发布的零工' });
    // A read of the postings taken before `fresh` was published does not name it.
    assert.equal(await repairListings([]), 0, 'nothing to mend');
    assert.ok((await listedIds()).includes(fresh), 'checked again by _id: still open, so still listed');
  });

  it('a restore or an unclean stop without a journal rebuilds them with every derived record', async () => {
    const before = (await listedIds()).sort();
    await PostingListing.deleteMany({});
    const repaired = await repairEverything();
    assert.equal(repaired.listings, before.length);
    assert.deepEqual((await listedIds()).sort(), before);
  });

  it('a database from before listings gets them once at start-up', async () => {
    const before = (await listedIds()).sort();
    assert.ok(before.length > 0);
    await PostingListing.deleteMany({});
    assert.equal(await ensureListings(), true);
    assert.deepEqual((await listedIds()).sort(), before);
    assert.equal(await ensureListings(), false, 'a second start changes nothing');
  });
});
