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
      assert.equal(res.status, 200, url + ' ' + res.text.slice(0, 3000));
    }
    const resident = await loggedIn('13800000003');
    const me = await resident.get('/me/work');
    assert.equal(me.status, 200, me.text);
    const staff = await loggedIn('13800000001');
    const month = (await import('../../server/lib/format.ts')).dayKey().slice(0, 7);
    for (const url of ['/staff/workshops', '/staff/workshops/new', `/staff/workshops/${shop.id}`, `/staff/workshops/${shop.id}/edit`, `/staff/workshops/${shop.id}/log`, `/staff/workshops/${shop.id}/ledger`, `/staff/workshops/${shop.id}/periods`, `/staff/workshops/${shop.id}/orders`, '/staff/reports', `/staff/reports?lang=en`, `/staff/workshops/${shop.id}/ledger?month=${month}`]) {
      const res = await staff.get(url);
      assert.equal(res.status, 200, url + ' ' + res.text.slice(0, 3000));
    }
    void ctx;
  });
});
