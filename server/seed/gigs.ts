import { Types } from 'mongoose';
import { Employer } from '../../models/employer.ts';
import { Posting } from '../../models/posting.ts';
import { Application } from '../../models/application.ts';
import { User } from '../../models/user.ts';
import { getCenter } from '../centers/tree.ts';
import { dayKey } from '../lib/format.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { ensureBuiltinCategories } from '../gigs/service/categories.ts';
import { notePending } from '../gigs/service/applicants.ts';
import { withCheckChar } from '../gigs/credit-code.ts';
import { DEMO_PASSWORD } from './accounts.ts';
import type { SeedContext } from './index.ts';
import { rebuildListings } from '../gigs/service/listings.ts';

const oid = (id: string) => new Types.ObjectId(id);

function inDays(n: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + n);
  return dayKey(d);
}

// Extra employers besides the demo account (王老板, 13800000002).
const EXTRA_EMPLOYERS = [
  { phone: '13800000012', name: '陈茶农', center: 'youxi-village', company: '尤溪云雾茶专业合作社', stem: '93331082MA2K8T6C1', status: 'verified' },
  { phone: '13800000013', name: '李经理', center: 'dayang', company: '临海顺达物流有限公司', stem: '91331082MA2DQ4LX7', status: 'verified' },
  { phone: '13800000014', name: '周师傅', center: 'lifeng', company: '利丰农家菜馆', stem: '92331082MA2H3NB70', status: 'pending' },
] as const;

interface SeedPosting {
  employer: string;
  center: string;
  title: string;
  description: string;
  category: string;
  payType: 'hour' | 'day' | 'piece' | 'job';
  payFen: number;
  headcount: number;
  start: number;
  days: number;
  dailyHours: string;
  address: string;
  reqAge?: string;
  reqPhysical?: string;
  reqSkills?: string;
  suitability: string[];
  status?: 'published' | 'submitted' | 'draft';
}

const POSTINGS: SeedPosting[] = [
  {
    employer: 'employer',
    center: 'miaoxi',
    title: '元宵灯笼组装帮工',
    description: '给节庆灯笼穿骨架、糊灯面、装流苏。坐着干，手脚利索就行，第一天有师傅带。可以带回家做，按件计钱。',
    category: 'handicraft',
    payType: 'piece',
    payFen: 350,
    headcount: 20,
    start: 2,
    days: 40,
    dailyHours: '自由安排',
    address: '庙西村共富工坊（村委旁）',
    reqAge: '18–75 岁',
    reqPhysical: '轻体力，坐着干',
    reqSkills: '手巧、有耐心',
    suitability: ['older', 'light', 'nearHome'],
  },
  {
    employer: 'employer',
    center: 'miaoxi',
    title: '灯笼厂包装打包工',
    description: '把做好的灯笼装箱、贴标签、码放整齐。',
    category: 'factory',
    payType: 'day',
    payFen: 16000,
    headcount: 6,
    start: 1,
    days: 20,
    dailyHours: '8:00–17:00（中午休息 1 小时）',
    address: '庙西村工业区 3 号厂房',
    reqAge: '18–65 岁',
    reqPhysical: '需要站立，偶尔搬 10 斤左右的箱子',
    suitability: ['nearHome'],
  },
  {
    employer: 'employer',
    center: 'dongcheng-village',
    title: '灯笼彩绘半天班',
    description: '给灯笼面描花、写福字。会写毛笔字或画画的优先。',
    category: 'handicraft',
    payType: 'hour',
    payFen: 2500,
    headcount: 4,
    start: 5,
    days: 30,
    dailyHours: '13:30–17:00',
    address: '东塍村文化礼堂',
    reqSkills: '会写毛笔字或画画',
    suitability: ['older', 'light', 'halfDay'],
  },
  {
    employer: 'tea',
    center: 'youxi-village',
    title: '春茶采摘工',
    description: '采明前茶一芽一叶，茶园有遮阳棚和饮水。中午管饭，按斤计钱，采得多挣得多。',
    category: 'agriculture',
    payType: 'piece',
    payFen: 4000,
    headcount: 30,
    start: 3,
    days: 25,
    dailyHours: '6:00–11:00',
    address: '尤溪村后山茶园',
    reqAge: '18–70 岁',
    reqPhysical: '需要在茶园里走动、弯腰',
    reqSkills: '采过茶的优先，不会的当天教',
    suitability: ['older', 'halfDay'],
  },
  {
    employer: 'tea',
    center: 'youxi',
    title: '茶叶炒制帮工',
    description: '协助师傅摊青、杀青后理条，注意防烫。',
    category: 'agriculture',
    payType: 'day',
    payFen: 18000,
    headcount: 3,
    start: 7,
    days: 21,
    dailyHours: '14:00–22:00',
    address: '尤溪镇茶叶加工厂',
    reqAge: '20–60 岁',
    reqPhysical: '站立工作，车间较热',
    suitability: [],
  },
  {
    employer: 'logistics',
    center: 'dayang-community',
    title: '仓库装卸工（日结）',
    description: '快递分拣中心装车卸车，日结工资。',
    category: 'logistics',
    payType: 'day',
    payFen: 22000,
    headcount: 8,
    start: 0,
    days: 60,
    dailyHours: '19:00–次日 3:00',
    address: '大洋街道物流园 B 区',
    reqAge: '18–50 岁',
    reqPhysical: '重体力，需搬运 30 斤以上包裹',
    suitability: [],
  },
  {
    employer: 'logistics',
    center: 'dayang',
    title: '快递分拣员（白班）',
    description: '在流水线旁按区域分拣小件包裹，看得清字就行。',
    category: 'logistics',
    payType: 'hour',
    payFen: 2200,
    headcount: 10,
    start: 1,
    days: 45,
    dailyHours: '8:00–12:00 或 13:00–17:00',
    address: '大洋街道物流园 A 区',
    reqPhysical: '站立，包裹较轻',
    suitability: ['light', 'halfDay'],
  },
  {
    employer: 'employer',
    center: 'dongcheng',
    title: '农家乐厨房帮工',
    description: '周末客多时帮忙择菜、洗碗、端菜。',
    category: 'catering',
    payType: 'day',
    payFen: 15000,
    headcount: 2,
    start: 4,
    days: 30,
    dailyHours: '10:00–14:00，17:00–20:00',
    address: '东塍镇农家乐一条街',
    suitability: ['nearHome'],
  },
  {
    employer: 'employer',
    center: 'xunqiao',
    title: '超市节前理货员',
    description: '春节前补货上架、整理货架、贴价签。',
    category: 'retail',
    payType: 'hour',
    payFen: 2000,
    headcount: 5,
    start: 6,
    days: 14,
    dailyHours: '8:30–12:30',
    address: '汛桥镇汛桥大道 120 号超市',
    suitability: ['light', 'halfDay'],
  },
  {
    employer: 'employer',
    center: 'lifeng',
    title: '老人陪护（白天）',
    description: '陪村里独居老人聊天、做午饭、提醒吃药。',
    category: 'domestic',
    payType: 'day',
    payFen: 13000,
    headcount: 2,
    start: 3,
    days: 60,
    dailyHours: '9:00–15:00',
    address: '利丰村',
    reqSkills: '会做家常菜，有耐心',
    suitability: ['older', 'light', 'nearHome'],
  },
  {
    employer: 'employer',
    center: 'miaoxi',
    title: '村道绿化修剪',
    description: '修剪村道两旁绿化带，工具由村里提供。',
    category: 'construction',
    payType: 'job',
    payFen: 60000,
    headcount: 2,
    start: 8,
    days: 5,
    dailyHours: '7:00–11:00',
    address: '庙西村主干道',
    reqPhysical: '户外作业',
    suitability: ['halfDay', 'nearHome'],
  },
  {
    employer: 'employer',
    center: 'miaoxi',
    title: '灯笼展会布展搭建',
    description: '元宵灯会前搭建展台、挂灯。需要登高，有安全绳。',
    category: 'construction',
    payType: 'day',
    payFen: 25000,
    headcount: 6,
    start: 10,
    days: 6,
    dailyHours: '8:00–17:00',
    address: '东塍镇文化广场',
    reqAge: '20–55 岁',
    reqPhysical: '需要登高、搬运',
    status: 'submitted',
    suitability: [],
  },
];

/** Demo gig market: verified employers, postings across categories and centers, one application. */
export async function seedGigs(ctx: SeedContext): Promise<void> {
  await ensureBuiltinCategories();
  const demoEmployer = ctx.users.employer!;
  if (await Employer.exists({ user: oid(demoEmployer) })) return; // already seeded

  const hash = await hashPassword(DEMO_PASSWORD);
  const employers: Record<string, { user: string; name: string }> = {};
  const profile = async (
    user: string,
    centerKey: string,
    data: { name: string; contactName: string; phone: string; address: string; creditCode: string; status: 'verified' | 'pending' },
  ) => {
    const center = await getCenter(ctx.centers[centerKey]!);
    await Employer.create({
      user: oid(user),
      ...data,
      center: oid(center!.id),
      centerPath: [...center!.ancestors, center!.id].map(oid),
      decidedAt: data.status === 'verified' ? new Date() : null,
    });
  };

  await profile(demoEmployer, 'miaoxi', {
    name: '临海庙西彩灯工艺有限公司',
    contactName: '王老板',
    phone: '13800000002',
    address: '临海市东塍镇庙西村工业区 3 号',
    creditCode: withCheckChar('91331082MA2AN7KL3'),
    status: 'verified',
  });
  employers.employer = { user: demoEmployer, name: '临海庙西彩灯工艺有限公司' };

  for (const e of EXTRA_EMPLOYERS) {
    const existing = await User.findOne({ phone: e.phone }, { _id: 1 }).lean();
    const center = ctx.centers[e.center]!;
    const user = existing ?? (await User.create({ phone: e.phone, name: e.name, role: 'employer', passwordHash: hash, homeCenter: center }));
    await profile(String(user._id), e.center, {
      name: e.company,
      contactName: e.name,
      phone: e.phone,
      address: (await getCenter(center))!.address,
      creditCode: withCheckChar(e.stem),
      status: e.status,
    });
    const key = e.company.includes('茶') ? 'tea' : e.company.includes('物流') ? 'logistics' : 'restaurant';
    employers[key] = { user: String(user._id), name: e.company };
  }

  const code = 100100;
  const ids: string[] = [];
  for (const [i, p] of POSTINGS.entries()) {
    const center = (await getCenter(ctx.centers[p.center]!))!;
    const emp = employers[p.employer]!;
    const status = p.status ?? 'published';
    const doc = await Posting.create({
      employer: oid(emp.user),
      employerName: emp.name,
      title: p.title,
      description: p.description,
      category: p.category,
      payType: p.payType,
      payFen: p.payFen,
      headcount: p.headcount,
      startDay: inDays(p.start),
      endDay: inDays(p.start + p.days),
      dailyHours: p.dailyHours,
      center: oid(center.id),
      centerPath: [...center.ancestors, center.id].map(oid),
      address: p.address,
      reqAge: p.reqAge ?? '',
      reqPhysical: p.reqPhysical ?? '',
      reqSkills: p.reqSkills ?? '',
      suitability: p.suitability,
      contact: `${emp.name} 电话 ${p.employer === 'employer' ? '13800000002' : (EXTRA_EMPLOYERS.find((x) => x.company === emp.name)?.phone ?? '')}`,
      status,
      code: String(code + i * 7),
      submittedAt: new Date(Date.now() - (POSTINGS.length - i) * 3600_000),
      publishedAt: status === 'published' ? new Date(Date.now() - (POSTINGS.length - i) * 3600_000) : null,
    });
    ids.push(String(doc._id));
  }

  // A restaurant that is still waiting for verification has a draft.
  const r = employers.restaurant!;
  const lifeng = (await getCenter(ctx.centers.lifeng!))!;
  await Posting.create({
    employer: oid(r.user),
    employerName: r.name,
    title: '周末宴席帮厨',
    description: '周末村里办酒席，需要帮厨洗菜切配、端盘子。',
    category: 'catering',
    payType: 'day',
    payFen: 20000,
    headcount: 4,
    startDay: inDays(9),
    endDay: inDays(40),
    dailyHours: '9:00–14:00',
    center: oid(lifeng.id),
    centerPath: [...lifeng.ancestors, lifeng.id].map(oid),
    address: '利丰村文化礼堂',
    contact: '周师傅 13800000014',
    suitability: ['nearHome'],
    status: 'draft',
    code: '100999',
  });

  // The demo resident has applied for the tea picking job.
  const resident = await User.findById(ctx.users.resident, { name: 1, phone: 1 }).lean();
  const tea = await Posting.findById(ids[3], { employer: 1, title: 1 }).lean();
  if (resident && tea) {
    const appId = new Types.ObjectId();
    await notePending(String(tea._id), appId); // as apply() does: told when the posting fills
    await Application.create({
      _id: appId,
      posting: tea._id,
      employer: tea.employer,
      resident: resident._id,
      residentName: resident.name,
      residentPhone: resident.phone,
      postingTitle: tea.title,
      message: '以前年年采茶，手快。',
      availability: '每天上午',
      activeKey: `${String(tea._id)}:${String(resident._id)}`,
    });
  }
  await rebuildListings(); // the published ones go on the public list, as approval puts them
}
