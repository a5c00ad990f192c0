import { Course, type CourseCategory } from '../../models/course.ts';
import { Enrolment, activeKeyOf } from '../../models/enrolment.ts';
import { Seat } from '../../models/seat.ts';
import { rebuildRoll } from '../courses/service/roll.ts';
import { numberedSlotId } from '../store/index.ts';
import { Attendance } from '../../models/attendance.ts';
import { User } from '../../models/user.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { getCenter } from '../centers/tree.ts';
import { dayKey } from '../lib/format.ts';
import { cst } from '../courses/schemas.ts';
import type { LeanCourse } from '../courses/service/catalog.ts';
import { enrol } from '../courses/service/enrolment.ts';
import { issueCompletion } from '../courses/service/certificates.ts';
import type { SeedContext } from './index.ts';

const DAY = 86400_000;

interface SeedCourse {
  key: string;
  center: string;
  title: string;
  category: CourseCategory;
  description: string;
  instructor: string;
  venue: string;
  capacity: number;
  startInDays: number;
  sessions: number;
  everyDays: number;
  from: string;
  to: string;
  minAge?: number;
  maxAge?: number;
  requiredDocs?: string;
  fill?: number;
  status?: 'published' | 'completed';
}

const COURSES: SeedCourse[] = [
  {
    key: 'miaoxi-baking',
    center: 'miaoxi',
    title: '中式面点与烘焙入门',
    category: 'baking',
    description: '从发面、包子馒头到简单蛋糕，学会后可以在家做、也可以到镇上面包房上班。',
    instructor: '陈师傅',
    venue: '庙西村文化礼堂二楼',
    capacity: 12,
    startInDays: 3,
    sessions: 6,
    everyDays: 2,
    from: '14:00',
    to: '16:30',
    fill: 10,
    requiredDocs: '身份证',
  },
  {
    key: 'miaoxi-childcare',
    center: 'miaoxi',
    title: '保育员（育婴）培训',
    category: 'childcare',
    description: '婴幼儿喂养、护理、早期启蒙与安全常识，结业后可参加保育员资格考试。',
    instructor: '林老师',
    venue: '庙西村党群服务中心培训室',
    capacity: 20,
    startInDays: 6,
    sessions: 8,
    everyDays: 3,
    from: '09:00',
    to: '11:00',
    minAge: 18,
    maxAge: 65,
    requiredDocs: '身份证、健康证（如有）',
    fill: 4,
  },
  {
    key: 'miaoxi-electrician',
    center: 'miaoxi',
    title: '低压电工实用技能',
    category: 'electrician',
    description: '家庭与小作坊用电安全、线路敷设、常见故障排查，为考取低压电工证打基础。',
    instructor: '王工',
    venue: '庙西村农机站',
    capacity: 15,
    startInDays: 10,
    sessions: 5,
    everyDays: 7,
    from: '19:00',
    to: '21:00',
    minAge: 18,
    maxAge: 60,
    requiredDocs: '身份证',
    fill: 13,
  },
  {
    key: 'xunqiao-electrician',
    center: 'xunqiao',
    title: '电工上岗培训（汛桥班）',
    category: 'electrician',
    description: '面向企业用工需求的电工基础班，理论加实操。',
    instructor: '徐工',
    venue: '汛桥镇成人学校',
    capacity: 25,
    startInDays: 8,
    sessions: 6,
    everyDays: 7,
    from: '18:30',
    to: '20:30',
    minAge: 18,
    maxAge: 60,
    fill: 5,
  },
  {
    key: 'xunqiao-baking',
    center: 'lifeng',
    title: '烘焙创业小班',
    category: 'baking',
    description: '面包、蛋挞和节庆糕点，教您做出能在集市上卖的产品。',
    instructor: '周师傅',
    venue: '利丰村文化礼堂',
    capacity: 10,
    startInDays: 5,
    sessions: 4,
    everyDays: 7,
    from: '13:30',
    to: '16:00',
    fill: 9,
  },
  {
    key: 'dongcheng-childcare',
    center: 'dongcheng-village',
    title: '家庭育儿与辅食',
    category: 'childcare',
    description: '给新手爸妈、爷爷奶奶的育儿课：辅食、睡眠、常见病护理。',
    instructor: '蒋医生',
    venue: '东塍村卫生室会议室',
    capacity: 30,
    startInDays: 14,
    sessions: 3,
    everyDays: 7,
    from: '09:30',
    to: '11:00',
    fill: 2,
  },
  {
    key: 'miaoxi-lantern',
    center: 'miaoxi',
    title: '花灯组装培训',
    category: 'handicraft',
    description: '共富工坊上岗培训：花灯骨架、灯面粘贴与质检标准。结业后可到工坊按件计酬。',
    instructor: '工坊带班 金阿姨',
    venue: '庙西村共富工坊',
    capacity: 20,
    startInDays: -30,
    sessions: 3,
    everyDays: 2,
    from: '14:00',
    to: '16:00',
    status: 'completed',
  },
];

async function demoResidents(ctx: SeedContext, center: string, n: number): Promise<string[]> {
  const hash = await hashPassword('doorstep-demo');
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗金';
  const given = ['秀英', '桂兰', '建国', '美华', '小红', '海燕', '国强', '丽娟', '志明', '春花', '伟', '芳', '玉梅', '建军', '红霞'];
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const phone = `1370000${String(1000 + i)}`;
    const existing = await User.findOne({ phone }, { _id: 1 }).lean();
    const doc =
      existing ??
      (await User.create({
        phone,
        name: `${surnames[i % surnames.length]}${given[i % given.length]}`,
        role: 'resident',
        passwordHash: hash,
        homeCenter: ctx.centers[center] ?? ctx.centers.miaoxi,
        birthYear: 1960 + (i % 30),
      }));
    ids.push(String(doc._id));
  }
  return ids;
}

/** Demo courses at Miaoxi and other centers, some nearly full; idempotent by seedKey. */
export async function seedCourses(ctx: SeedContext): Promise<void> {
  const pool = await demoResidents(ctx, 'miaoxi', 14);
  const today = cst(dayKey(new Date()));
  for (const c of COURSES) {
    const centerId = ctx.centers[c.center];
    if (!centerId) continue;
    if (await Course.exists({ seedKey: c.key })) continue;
    const node = await getCenter(centerId);
    const sessions = Array.from({ length: c.sessions }, (_, i) => {
      const day = dayKey(new Date(today.getTime() + (c.startInDays + i * c.everyDays) * DAY + 12 * 3600_000));
      return { startsAt: cst(day, c.from), endsAt: cst(day, c.to), topic: '' }; // no filler topic: it showed as Chinese on English pages
    });
    const doc = await Course.create({
      seedKey: c.key,
      center: centerId,
      centerName: node?.name ?? '',
      centerNameEn: node?.nameEn ?? '',
      title: c.title,
      category: c.category,
      description: c.description,
      instructor: c.instructor,
      venue: c.venue,
      capacity: c.capacity,
      minAge: c.minAge ?? null,
      maxAge: c.maxAge ?? null,
      requiredDocs: c.requiredDocs ?? '',
      completionPercent: 80,
      sessions,
      firstSessionAt: sessions[0]!.startsAt,
      lastSessionAt: sessions.at(-1)!.endsAt,
      status: c.status === 'completed' ? 'completed' : 'published',
      publishedAt: new Date(),
      closedAt: c.status === 'completed' ? new Date() : null,
      createdBy: ctx.users.miaoxiStaff,
    });
    if (c.status === 'completed') {
      // The demo resident completed the lantern course: the workshops' training gate opens for her.
      const course = doc.toObject() as LeanCourse;
      const residentId = ctx.users.resident!;
      const resident = await User.findById(residentId, { name: 1, phone: 1 }).lean();
      const e = await Enrolment.create({
        course: doc._id,
        resident: residentId,
        activeKey: activeKeyOf(String(doc._id), residentId),
        status: 'confirmed',
        residentName: resident!.name,
        residentPhone: resident!.phone,
        courseTitle: c.title,
        center: centerId,
        confirmedAt: new Date(),
      });
      await Seat.create({ _id: numberedSlotId(String(doc._id), 1), course: doc._id, seatNo: 1, enrolment: e._id, resident: residentId });
      await rebuildRoll(doc._id);
      for (const s of doc.sessions)
        await Attendance.create({
          course: doc._id,
          session: s._id,
          resident: residentId,
          residentName: resident!.name,
          method: 'roll',
          by: ctx.users.miaoxiStaff,
          at: s.startsAt,
        });
      await issueCompletion(course, { id: resident!._id, name: resident!.name }, 100);
      continue;
    }
    for (const rid of pool.slice(0, Math.min(c.fill ?? 0, pool.length))) await enrol(String(doc._id), rid).catch(() => undefined);
  }
}
