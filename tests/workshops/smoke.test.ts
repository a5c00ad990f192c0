import assert from 'node:assert/strict';
import { agent, loggedIn } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { seededShop } from './helpers.ts';

describe('workshops: pages render', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(60_000);
    ctx = await freshDemo();
  });

  it('renders every page', async () => {
    const shop = await seededShop();
    const anon = agent();
    for (const url of ['/workshops', `/workshops/${shop.id}`, `/workshops/${shop.id}/live`]) {
      const res = await anon.get(url);
      assert.equal(res.status, 200, `${url} ${res.text.slice(0, 3000)}`);
    }
    const resident = await loggedIn('13800000003');
    const me = await resident.get('/me/work');
    assert.equal(me.status, 200, me.text);
    for (const url of [`/me/work/${shop.id}/history`, `/me/work/${shop.id}/periods/${/\/me\/work\/[a-f\d]+\/periods\/(\d{4}-\d{2})/.exec(me.text)![1]}`]) {
      const res = await resident.get(url);
      assert.equal(res.status, 200, `${url} ${res.text.slice(0, 3000)}`);
    }
    const other = await loggedIn('13800000004');
    const otherStatement = await other.get(`/me/work/${shop.id}/periods/${/\/me\/work\/[a-f\d]+\/periods\/(\d{4}-\d{2})/.exec(me.text)![1]}`);
    assert.equal(otherStatement.status, 200);
    assert.doesNotMatch(otherStatement.text, /金士媖/, 'each worker sees only their own statement');
    const staff = await loggedIn('13800000001');
    const month = (await import('../../server/lib/format.ts')).dayKey().slice(0, 7);
    for (const url of [
      '/staff/workshops',
      '/staff/workshops/new',
      `/staff/workshops/${shop.id}`,
      `/staff/workshops/${shop.id}/edit`,
      `/staff/workshops/${shop.id}/log`,
      `/staff/workshops/${shop.id}/ledger`,
      `/staff/workshops/${shop.id}/periods`,
      `/staff/workshops/${shop.id}/orders`,
      '/staff/reports',
      `/staff/reports?lang=en`,
      `/staff/workshops/${shop.id}/ledger?month=${month}`,
    ]) {
      const res = await staff.get(url);
      assert.equal(res.status, 200, `${url} ${res.text.slice(0, 3000)}`);
    }
    void ctx;
  });
});

describe('workshops: demo data', () => {
  before(async function () {
    this.timeout(60_000);
    await freshDemo();
  });

  it('is idempotent: a second seed adds nothing and the summaries still match the ledger', async function () {
    this.timeout(60_000);
    const { seedDemo } = await import('../../server/seed/index.ts');
    const { LedgerEntry } = await import('../../models/ledger-entry.ts');
    const { PayPeriod } = await import('../../models/pay-period.ts');
    const { Workshop } = await import('../../models/workshop.ts');
    const { Membership } = await import('../../models/membership.ts');
    const { WorkSummary } = await import('../../models/work-summary.ts');
    const { computeSummaries } = await import('../../server/workshops/summaries.ts');
    const count = async () => [
      await LedgerEntry.countDocuments(),
      await PayPeriod.countDocuments(),
      await Workshop.countDocuments(),
      await Membership.countDocuments(),
    ];
    const before = await count();
    assert.ok(before[0]! > 200 && before[1] === 1 && before[2] === 2, JSON.stringify(before));
    await seedDemo('test');
    assert.deepEqual(await count(), before);
    const expected = computeSummaries((await LedgerEntry.find().lean()) as never);
    assert.equal(await WorkSummary.countDocuments(), expected.size);
  });
});
