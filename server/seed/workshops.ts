import { Types } from 'mongoose';
import { Workshop } from '../../models/workshop.ts';
import { Task } from '../../models/task.ts';
import { Membership, membershipId } from '../../models/membership.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { PayPeriod, periodId } from '../../models/pay-period.ts';
import { User } from '../../models/user.ts';
import { Order } from '../../models/order.ts';
import { Batch } from '../../models/batch.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { dayKey } from '../lib/format.ts';
import { rebuildSummaries } from '../workshops/summaries.ts';
import { statementsFromLedger } from '../workshops/periods.ts';
import type { SeedContext } from './index.ts';

// Demo workshops (共富工坊): the Miaoxi lantern workshop from the article and bamboo weaving at
// Youxi, with workers (some from low-income households), weeks of entries and one settled month.
const EXTRA_WORKERS = [
  { phone: '13800001021', name: '金小芬', center: 'miaoxi', lowIncome: true },
  { phone: '13800001022', name: '王爱琴', center: 'miaoxi', lowIncome: false },
  { phone: '13800001023', name: '陈桂英', center: 'miaoxi', lowIncome: true },
  { phone: '13800001024', name: '林秀兰', center: 'dongcheng-village', lowIncome: false },
  { phone: '13800001031', name: '叶春花', center: 'youxi-village', lowIncome: true },
  { phone: '13800001032', name: '应建国', center: 'youxi-village', lowIncome: false },
  { phone: '13800001033', name: '卢美娟', center: 'youxi-village', lowIncome: false },
];

const SHOPS = [
  {
    key: 'lantern',
    name: '庙西彩灯共富工坊',
    center: 'miaoxi',
    lead: 'miaoxiStaff',
    description: '为临海本地彩灯企业组装节庆彩灯、宫灯和灯笼穗子。材料由工坊提供，来料加工，按件计费；也可以把材料领回家做。',
    address: '临海市东塍镇庙西村村委旁党群服务中心一楼',
    hours: '每天 8:00–20:00，随来随做',
    trainingCategory: 'handicraft',
    tasks: [
      { name: '彩灯组装', unit: '盏', rateFen: 80 },
      { name: '宫灯糊面', unit: '件', rateFen: 150 },
      { name: '灯笼穗子', unit: '个', rateFen: 15 },
    ],
    workers: ['resident', 'lowIncome', '13800001021', '13800001022', '13800001023', '13800001024'],
  },
  {
    key: 'bamboo',
    name: '尤溪竹编共富工坊',
    center: 'youxi-village',
    lead: null,
    description: '传统竹编：竹篮、杯垫和果盘。老师傅带新手，熟练后可以领竹篾回家编。',
    address: '临海市尤溪镇尤溪村文化礼堂',
    hours: '周一至周六 8:30–17:00',
    trainingCategory: '',
    tasks: [
      { name: '竹篮编织', unit: '个', rateFen: 800 },
      { name: '竹编杯垫', unit: '个', rateFen: 120 },
    ],
    workers: ['13800001031', '13800001032', '13800001033'],
  },
] as const;

/** A small deterministic generator, so the demo looks the same on every machine. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function daysBack(n: number): string[] {
  const today = new Date(`${dayKey()}T00:00:00Z`).getTime();
  const out: string[] = [];
  for (let i = n; i >= 0; i--) out.push(new Date(today - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

function previousMonth(): string {
  const [y, m] = dayKey().split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 2, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export async function seedWorkshops(ctx: SeedContext): Promise<void> {
  const hash = await hashPassword('doorstep-demo');
  const people = new Map<string, { id: Types.ObjectId; name: string; phone: string }>();
  for (const key of ['resident', 'lowIncome'] as const) {
    const u = await User.findById(ctx.users[key], { name: 1, phone: 1 }).lean();
    if (u) people.set(key, { id: u._id, name: u.name, phone: u.phone });
  }
  for (const w of EXTRA_WORKERS) {
    const existing = await User.findOne({ phone: w.phone }, { name: 1, phone: 1 }).lean();
    const doc =
      existing ??
      (await User.create({
        phone: w.phone,
        name: w.name,
        role: 'resident',
        passwordHash: hash,
        homeCenter: ctx.centers[w.center],
        lowIncome: w.lowIncome,
        lowIncomeConsentAt: w.lowIncome ? new Date() : null,
        privacyConsentAt: new Date(),
        birthYear: 1965,
      }));
    people.set(w.phone, { id: doc._id, name: doc.name, phone: doc.phone });
  }
  const staffId = new Types.ObjectId(ctx.users.miaoxiStaff);
  const staff = await User.findById(staffId, { name: 1 }).lean();

  const days = daysBack(45);
  const closeMonth = previousMonth();
  let shopNo = 0;
  for (const s of SHOPS) {
    shopNo += 1;
    const center = ctx.centers[s.center]!;
    let shop = await Workshop.findOne({ name: s.name, center }, { _id: 1 }).lean();
    if (!shop) {
      shop = await Workshop.create({
        name: s.name,
        description: s.description,
        center,
        address: s.address,
        hours: s.hours,
        lead: s.lead ? ctx.users[s.lead] : null,
        leadName: s.lead ? (staff?.name ?? '') : '',
        trainingCategory: s.trainingCategory,
      });
    }
    const shopId = String(shop._id);
    const tasks = [];
    for (const t of s.tasks) {
      const existing = await Task.findOne({ workshop: shop._id, name: t.name }).lean();
      tasks.push(existing ?? (await Task.create({ workshop: shop._id, ...t })).toObject());
    }
    const workers = s.workers.map((k) => people.get(k)).filter((p): p is NonNullable<typeof p> => !!p);
    for (const p of workers) {
      try {
        await Membership.create({
          _id: membershipId(shopId, String(p.id)),
          workshop: shop._id,
          resident: p.id,
          residentName: p.name,
          residentPhone: p.phone,
          admittedBy: staffId,
        });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
    // The lantern workshop works on an order from a Linhai lantern maker; one household has material at home.
    let orderId: Types.ObjectId | null = null;
    if (s.key === 'lantern') {
      const client = '临海市华灯彩灯有限公司';
      const task = tasks[0]!;
      const deadline = new Date(Date.now() + 20 * 86_400_000);
      const existing = await Order.findOne({ workshop: shop._id, client }, { _id: 1 }).lean();
      orderId =
        existing?._id ??
        (
          await Order.create({
            workshop: shop._id,
            center,
            client,
            task: task._id,
            taskName: task.name,
            unit: task.unit,
            quantity: 6000,
            rateFen: 120,
            deadline: dayKey(deadline),
            createdAt: new Date(`${dayKey().slice(0, 7)}-01T08:00:00+08:00`),
          })
        )._id;
      const holder = people.get('lowIncome');
      if (holder && !(await Batch.exists({ workshop: shop._id, worker: holder.id }))) {
        await Batch.create({
          workshop: shop._id,
          center,
          order: orderId,
          task: task._id,
          taskName: task.name,
          unit: task.unit,
          worker: holder.id,
          workerName: holder.name,
          quantity: 200,
          issuedAt: dayKey(),
          issuedBy: staff?.name ?? 'seed',
        });
      }
    }
    // Weeks of entries; keys are deterministic, so a second run inserts nothing new.
    const rand = rng(20261 + shopNo);
    const docs: Record<string, unknown>[] = [];
    for (const day of days) {
      for (const p of workers) {
        if (rand() < 0.35) continue; // flexible hours: not everyone comes every day
        const task = tasks[Math.floor(rand() * tasks.length)]!;
        const counted = task.rateFen >= 500 ? 1 + Math.floor(rand() * 4) : 20 + Math.floor(rand() * 80);
        const rejected = Math.floor(rand() * Math.max(1, counted / 15));
        const accepted = counted - rejected;
        docs.push({
          idempotencyKey: `seed:${shopId}:${String(p.id)}:${day}:${String(task._id)}`,
          workshop: shop._id,
          center,
          worker: p.id,
          workerName: p.name,
          task: task._id,
          taskName: task.name,
          unit: task.unit,
          order: orderId && String(task._id) === String(tasks[0]!._id) && day.slice(0, 7) === dayKey().slice(0, 7) ? orderId : null,
          kind: 'work',
          date: day,
          period: day.slice(0, 7),
          counted,
          rejected,
          accepted,
          rateFen: task.rateFen,
          amountFen: accepted * task.rateFen,
          note: '',
          createdBy: staffId,
          createdByName: staff?.name ?? 'seed',
          createdAt: new Date(`${day}T10:00:00+08:00`),
        });
      }
    }
    try {
      await LedgerEntry.insertMany(docs, { ordered: false });
    } catch (err) {
      // Already seeded: every duplicate key is an entry from an earlier run.
      const e = err as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[] };
      const codes = e.writeErrors?.map((w) => w.code ?? w.err?.code) ?? [e.code];
      if (!codes.every((c) => c === 11000)) throw err;
    }
    await rebuildSummaries(shopId);

    // The lantern workshop has settled last month and paid everyone.
    if (s.key === 'lantern' && !(await PayPeriod.exists({ _id: periodId(shopId, closeMonth) }))) {
      const statements = await statementsFromLedger(shopId, closeMonth);
      const paidAt = `${dayKey().slice(0, 7)}-05`;
      await PayPeriod.create({
        _id: periodId(shopId, closeMonth),
        workshop: shop._id,
        center,
        month: closeMonth,
        closedBy: staffId,
        closedByName: staff?.name ?? 'seed',
        accepted: statements.reduce((a, x) => a + x.accepted, 0),
        amountFen: statements.reduce((a, x) => a + x.amountFen, 0),
        statements: statements.map((x, i) => ({
          ...x,
          worker: new Types.ObjectId(x.worker),
          paidAt,
          method: (['cash', 'wechat', 'bank', 'alipay'] as const)[i % 4],
          paidBy: staff?.name ?? '',
        })),
      });
    }
  }
}
