import assert from 'node:assert/strict';
import { loggedIn } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { Task } from '../../models/task.ts';
import { PayPeriod } from '../../models/pay-period.ts';
import * as ledger from '../../server/workshops/ledger.ts';
import { dayKey, formatDay, formatMonth } from '../../server/lib/format.ts';
import { weekDays } from '../../server/workshops/me.ts';
import { myWorkView } from '../../server/workshops/me-view.ts';
import { translator } from '../../server/i18n/index.ts';
import { actor, addMember, key, makeShop } from './helpers.ts';
import { commandsOf } from '../helpers/commands.ts';

const inDays = (n: number) => dayKey(new Date(Date.now() + n * 86400_000));

describe('workshops: a worker’s own page is easy to follow', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
  });

  it('pieces per task in their own unit, days that name the task, periods with their dates', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 150 }); // 彩灯组装, 盏
    const tassel = await Task.create({ workshop: shop.id, name: '挂穗', unit: '个', rateFen: 15 });
    const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '记件工人' });
    await addMember(shop.id, r.id);
    const staff = await actor(ctx.users.miaoxiStaff!);
    await ledger.logEntry(staff, shop.id, { workerId: r.id, taskId: shop.taskId, counted: 77, rejected: 0, date: dayKey(), note: '', idempotencyKey: key() });
    await ledger.logEntry(staff, shop.id, {
      workerId: r.id,
      taskId: String(tassel._id),
      counted: 74,
      rejected: 0,
      date: dayKey(),
      note: '',
      idempotencyKey: key(),
    });
    const page = (await (await loggedIn(r.phone)).get('/me/work')).text;
    assert.match(page, /彩灯组装 77 盏/);
    assert.match(page, /挂穗 74 个/);
    assert.doesNotMatch(page, /151 件/, 'different units are never added up');
    assert.ok(page.includes(formatDay(weekDays()[0]!, 'zh-CN')), 'the week is labelled with its first day');
    assert.ok(page.includes(`${formatDay(`${dayKey().slice(0, 7)}-01`, 'zh-CN')} – ${formatDay(dayKey(), 'zh-CN')}`), 'the month with its range');
    // The daily row names each task with its own pieces and money.
    assert.match(page, /彩灯组装 77 盏 <span class="money">¥115\.50<\/span>/);
    assert.match(page, /挂穗 74 个 <span class="money">¥11\.10<\/span>/);
    assert.ok(page.includes(`<strong>${formatDay(dayKey(), 'zh-CN')}</strong>`), 'days in the same format as elsewhere');
    assert.doesNotMatch(page, new RegExp(`<strong>${dayKey()}</strong>`));
  });

  it('pay dates say "paid on" or "will be paid on", months read as words', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!);
    const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '等发钱的人' });
    await addMember(shop.id, r.id);
    const statement = { worker: r.id, name: r.name, counted: 10, rejected: 0, accepted: 10, amountFen: 800, entries: 1, method: 'wechat' };
    const base = { workshop: shop.id, center: ctx.centers.miaoxi!, closedBy: ctx.users.miaoxiStaff!, closedByName: '员工', accepted: 10, amountFen: 800 };
    await PayPeriod.create({ ...base, _id: `p:${shop.id}:2026-09`, month: '2026-09', statements: [{ ...statement, paidAt: inDays(-20) }] });
    await PayPeriod.create({ ...base, _id: `p:${shop.id}:2026-10`, month: '2026-10', statements: [{ ...statement, paidAt: inDays(4) }] });
    const ag = await loggedIn(r.phone);
    const page = (await ag.get('/me/work')).text;
    assert.ok(page.includes(`将于 ${formatDay(inDays(4), 'zh-CN')} 发放（微信）`), 'a future pay date is not "paid"');
    assert.ok(page.includes(`已于 ${formatDay(inDays(-20), 'zh-CN')} 发放（微信）`));
    assert.ok(page.includes(formatMonth('2026-10', 'zh-CN')));
    const en = (await ag.get('/me/work?lang=en')).text;
    assert.ok(en.includes(`Will be paid on ${formatDay(inDays(4), 'en')}`));
  });

  it('a refresh reads no month summary again, and an entry logged since shows at once', async () => {
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 150 });
    const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '常刷新的人' });
    await addMember(shop.id, r.id);
    const staff = await actor(ctx.users.miaoxiStaff!);
    const log = (counted: number) =>
      ledger.logEntry(staff, shop.id, { workerId: r.id, taskId: shop.taskId, counted, rejected: 0, date: dayKey(), note: '', idempotencyKey: key() });
    await log(12);
    const ag = await loggedIn(r.phone);
    assert.match((await ag.get('/me/work')).text, /彩灯组装 12 盏/);
    const again = await commandsOf(() => ag.get('/me/work'));
    const summaryReads = again.commands.filter((c) => c.collection === 'worksummaries');
    assert.deepEqual(summaryReads, [], 'the second view is answered from the worker-months cache');
    await log(30);
    assert.match((await ag.get('/me/work')).text, /彩灯组装 42 盏/, 'the entry dropped the cached month');
  });

  it('explains why this week can be larger than this month', () => {
    const req = { lang: 'zh-CN', t: translator('zh-CN') } as never;
    const none = { amountFen: 0, tasks: [] };
    const v = myWorkView(req, {
      workshop: { id: 'x', name: 'x' },
      tasks: [],
      byTask: [],
      days: [],
      periods: [],
      range: { today: '2026-12-01', weekStart: '2026-11-30', monthStart: '2026-12-01' },
      today: none,
      week: { amountFen: 10200, tasks: [] },
      month: { amountFen: 2800, tasks: [] },
    });
    assert.match(v.weekNote, /包括上个月的几天/);
    assert.match(v.periodsShown[1]!.range, /11月30日/);
  });
});
