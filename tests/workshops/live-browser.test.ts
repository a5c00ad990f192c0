// The workshop wall board in a real browser: staff log pieces on a phone and the board's
// total and task count change without a reload.
import assert from 'node:assert/strict';
import { artifactPath, browserLogin, withBrowser } from '../helpers/browser.ts';
import { Types } from 'mongoose';
import { Membership } from '../../models/membership.ts';
import { seededShop } from './helpers.ts';

describe('workshops: live board in a browser', function () {
  this.timeout(120_000);
  const env = withBrowser();

  it('updates the total and the task row when staff log an entry', async () => {
    const shop = await seededShop();
    const task = shop.tasks.find((t) => t.name === '彩灯组装')!;
    const board = await env.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors: string[] = [];
    board.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    board.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await board.goto(`${env.site.url}/workshops/${shop.id}/live`);
    await board.waitForFunction(() => (window as unknown as { io?: unknown }).io !== undefined);
    await board.waitForTimeout(500);
    const total = Number(await board.getAttribute('[data-total]', 'data-total'));
    const before = Number(await board.textContent(`[data-task-id="${task.id}"] [data-count]`));

    const staff = await env.browser.newPage({ viewport: { width: 390, height: 844 } });
    await browserLogin(staff, env.site.url, '13800000001');
    await staff.goto(`${env.site.url}/staff/workshops/${shop.id}/log`);
    await staff.selectOption('#f-workerId', env.ctx.users.resident!);
    await staff.selectOption('#f-taskId', task.id);
    await staff.fill('#f-counted', '25');
    await staff.fill('#f-rejected', '2');
    await staff.screenshot({ path: artifactPath('workshop-log-phone.png'), fullPage: true });
    await Promise.all([staff.waitForNavigation(), staff.click(`form[action="/staff/workshops/${shop.id}/entries"] button[type=submit]`)]);

    await board.waitForFunction((t) => document.querySelector('[data-total]')?.getAttribute('data-total') === String(t), total + 23, { timeout: 10_000 });
    assert.equal(Number(await board.textContent(`[data-task-id="${task.id}"] [data-count]`)), before + 23);
    // The worker's station row shows today's count; the public wall shows no names.
    const members = await Membership.find({ workshop: new Types.ObjectId(shop.id) })
      .sort({ joinedAt: 1, _id: 1 })
      .lean();
    const station = members.findIndex((m) => String(m.resident) === env.ctx.users.resident) + 1;
    assert.ok(station > 0);
    assert.ok(Number(await board.textContent(`[data-station="${station}"] [data-count]`)) >= 23);
    const stations = await board.$$eval('[data-station]', (ls) => ls.map((l) => Number(l.getAttribute('data-station'))));
    assert.deepEqual(
      stations,
      [...stations].sort((a, b) => a - b),
      'in station order',
    );
    assert.doesNotMatch((await board.textContent('main')) ?? '', /金士媖|士媖|金美女/);
    await board.screenshot({ path: artifactPath('workshop-live-desktop.png') });
    assert.deepEqual(errors, []);
  });
});
