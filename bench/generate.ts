// Benchmark data: `demo` is the seed; `town-year` is a year of one busy town (issue 6).
// Bulk inserts, seeded random, so two runs produce the same data.
import { Types } from 'mongoose';
import { Center } from '../models/center.ts';
import { User } from '../models/user.ts';
import { Employer } from '../models/employer.ts';
import { Posting } from '../models/posting.ts';
import { Application } from '../models/application.ts';
import { PostingSlot } from '../models/posting-slot.ts';
import { Course } from '../models/course.ts';
import { Enrolment } from '../models/enrolment.ts';
import { Seat } from '../models/seat.ts';
import { Workshop } from '../models/workshop.ts';
import { Task } from '../models/task.ts';
import { Membership, membershipId } from '../models/membership.ts';
import { LedgerEntry } from '../models/ledger-entry.ts';
import { hashPassword } from '../server/accounts/passwords.ts';
import { invalidateCenters } from '../server/centers/tree.ts';
import { rebuildSummaries } from '../server/workshops/summaries.ts';
import { withCheckChar } from '../server/gigs/credit-code.ts';
import { dayKey } from '../server/lib/format.ts';
import { seedDemo, type SeedContext } from '../server/seed/index.ts';

export const TOWN_YEAR = { centers: 20, postings: 2000, applications: 20_000, residents: 5000, courses: 40, enrolments: 1500, workshops: 3, workers: 200, ledger: 60_000 };

/** mulberry32: small, fast, repeatable. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

const SURNAMES = '金王李张陈林杨黄周吴徐孙朱胡郭何罗高梁郑'.split('');
const GIVEN = ['美女', '士媖', '阿婆', '建国', '小红', '海燕', '立新', '秀英', '志强', '桂芳', '玉兰', '国平', '丽华', '永康', '红梅'];
const TITLES = ['彩灯组装帮工', '采茶工', '仓库装卸工', '饭店帮厨', '超市理货员', '快递分拣', '竹编帮工', '建筑小工', '保洁员', '果园采摘'];
const CATEGORIES = ['factory', 'agriculture', 'construction', 'domestic', 'catering', 'retail', 'logistics', 'handicraft', 'other'];

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00+08:00`);
  d.setUTCDate(d.getUTCDate() + n);
  return dayKey(d);
}

type BulkModel = { insertMany(docs: object[], opts: object): Promise<unknown>; applyDefaults(doc: object): object };

// lean inserts skip casting, so schema defaults are applied here: without them a generated task or
// workshop has no `active` and the app treats it as switched off.
async function insertInChunks(model: BulkModel, docs: object[], size = 2000): Promise<void> {
  for (let i = 0; i < docs.length; i += size) {
    await model.insertMany(docs.slice(i, i + size).map((d) => model.applyDefaults(d)), { ordered: false, lean: true });
  }
}

export async function generateDemo(): Promise<SeedContext> {
  return seedDemo('development');
}

/** Adds a town-year of data on top of the demo seed (which supplies the accounts used to log in). */
export async function generateTownYear(ctx: SeedContext, log: (m: string) => void = () => {}): Promise<{ worker: string; workshop: string }> {
  const r = rng(20261126);
  const today = dayKey();
  const linhai = ctx.centers.linhai!;

  // One town with 20 centers: the town and 19 villages.
  const townId = new Types.ObjectId();
  const centers = [{ _id: townId, name: '基准镇党群服务中心', nameEn: 'Bench Town Center', level: 'town', parent: new Types.ObjectId(linhai), ancestors: [new Types.ObjectId(linhai)] }];
  for (let i = 1; i < TOWN_YEAR.centers; i++) {
    centers.push({ _id: new Types.ObjectId(), name: `基准${i}村党群服务中心`, nameEn: `Bench Village ${i}`, level: 'village', parent: townId, ancestors: [new Types.ObjectId(linhai), townId] });
  }
  await Center.insertMany(centers);
  invalidateCenters();
  const villageIds = centers.slice(1).map((c) => c._id);
  log(`centers: ${centers.length}`);

  const hash = await hashPassword('doorstep-demo');
  const residents = Array.from({ length: TOWN_YEAR.residents }, (_, i) => ({
    _id: new Types.ObjectId(),
    phone: `150${String(i).padStart(8, '0')}`,
    name: `${r.pick(SURNAMES)}${r.pick(GIVEN)}`,
    role: 'resident',
    passwordHash: hash,
    homeCenter: r.pick(villageIds),
    lowIncome: r.next() < 0.2,
    birthYear: r.int(1950, 2000),
    skills: [],
  }));
  const employers = Array.from({ length: 100 }, (_, i) => ({
    _id: new Types.ObjectId(),
    phone: `151${String(i).padStart(8, '0')}`,
    name: `雇主${i}`,
    role: 'employer',
    passwordHash: hash,
    homeCenter: r.pick(villageIds),
    skills: [],
  }));
  await insertInChunks(User, [...residents, ...employers]);
  log(`users: ${residents.length + employers.length}`);

  await insertInChunks(
    Employer,
    employers.map((e, i) => ({
      user: e._id,
      name: `基准企业${i}`,
      contactName: e.name,
      phone: e.phone,
      address: '基准镇',
      creditCode: withCheckChar(`91331082MA2D${String(i).padStart(5, '0')}`),
      center: e.homeCenter,
      centerPath: [new Types.ObjectId(linhai), townId, e.homeCenter],
      status: 'verified',
    })),
  );

  const postings = Array.from({ length: TOWN_YEAR.postings }, (_, i) => {
    const emp = r.pick(employers);
    const center = r.pick(villageIds);
    const start = addDays(today, r.int(-300, 60));
    const published = r.next() < 0.5 && start >= addDays(today, -30);
    return {
      _id: new Types.ObjectId(),
      employer: emp._id,
      employerName: `基准企业${employers.indexOf(emp)}`,
      title: `${r.pick(TITLES)}${i}`,
      description: '工作内容：按要求完成，日结，包午饭。欢迎附近村民报名。',
      category: r.pick(CATEGORIES),
      payType: r.pick(['hour', 'day', 'piece', 'job']),
      payFen: r.int(15, 300) * 100,
      headcount: r.int(1, 30),
      startDay: start,
      endDay: addDays(start, r.int(1, 90)),
      center,
      centerPath: [new Types.ObjectId(linhai), townId, center],
      suitability: r.next() < 0.3 ? ['older'] : [],
      status: published ? 'published' : r.pick(['expired', 'filled', 'closed', 'draft']),
      code: String(900000 + i),
      publishedAt: published ? new Date() : null,
    };
  });
  await insertInChunks(Posting, postings);
  log(`postings: ${postings.length}`);

  const applications: Record<string, unknown>[] = [];
  const slots: Record<string, unknown>[] = [];
  const taken = new Set<string>();
  while (applications.length < TOWN_YEAR.applications) {
    const p = r.pick(postings);
    const res = r.pick(residents);
    const key = `${p._id}:${res._id}`;
    if (taken.has(key)) continue;
    taken.add(key);
    const accepted = slots.filter((s) => s.posting === p._id).length < p.headcount && r.next() < 0.2;
    const id = new Types.ObjectId();
    applications.push({ _id: id, posting: p._id, employer: p.employer, resident: res._id, residentName: res.name, residentPhone: res.phone, postingTitle: p.title, status: accepted ? 'accepted' : r.pick(['pending', 'rejected']), activeKey: key });
    if (accepted) slots.push({ posting: p._id, slotNo: slots.filter((s) => s.posting === p._id).length + 1, application: id });
  }
  await insertInChunks(Application, applications);
  await insertInChunks(PostingSlot, slots);
  log(`applications: ${applications.length} (${slots.length} accepted)`);

  const courses = Array.from({ length: TOWN_YEAR.courses }, (_, i) => {
    const center = r.pick(villageIds);
    const first = new Date(Date.now() + r.int(-200, 40) * 86400_000);
    const sessions = Array.from({ length: 6 }, (_, k) => ({ _id: new Types.ObjectId(), startsAt: new Date(first.getTime() + k * 7 * 86400_000), endsAt: new Date(first.getTime() + k * 7 * 86400_000 + 2 * 3600_000), topic: `第${k + 1}课` }));
    return {
      _id: new Types.ObjectId(),
      center,
      centerName: centers.find((c) => c._id.equals(center))!.name,
      title: `${r.pick(['烘焙', '保育', '电工', '电商', '养老护理'])}培训班 ${i}`,
      category: r.pick(['childcare', 'baking', 'electrician', 'ecommerce', 'eldercare']),
      capacity: r.int(20, 60),
      completionPercent: 80,
      sessions,
      firstSessionAt: sessions[0]!.startsAt,
      lastSessionAt: sessions.at(-1)!.endsAt,
      status: first.getTime() > Date.now() - 30 * 86400_000 ? 'published' : 'completed',
    };
  });
  await insertInChunks(Course, courses);
  const enrolments: Record<string, unknown>[] = [];
  const seats: Record<string, unknown>[] = [];
  const enrolled = new Set<string>();
  while (enrolments.length < TOWN_YEAR.enrolments) {
    const c = r.pick(courses);
    const res = r.pick(residents);
    const key = `${c._id}:${res._id}`;
    if (enrolled.has(key)) continue;
    enrolled.add(key);
    const seatNo = seats.filter((s) => s.course === c._id).length + 1;
    const confirmed = seatNo <= c.capacity;
    const id = new Types.ObjectId();
    enrolments.push({ _id: id, course: c._id, resident: res._id, activeKey: key, status: confirmed ? 'confirmed' : 'waitlisted', residentName: res.name, residentPhone: res.phone, courseTitle: c.title, center: c.center, createdAt: new Date() });
    if (confirmed) seats.push({ course: c._id, seatNo, enrolment: id, resident: res._id });
  }
  await insertInChunks(Enrolment, enrolments);
  await insertInChunks(Seat, seats);
  log(`courses: ${courses.length}, enrolments: ${enrolments.length}`);

  const workshops = Array.from({ length: TOWN_YEAR.workshops }, (_, i) => ({ _id: new Types.ObjectId(), name: `基准工坊${i}`, center: villageIds[i]!, description: '', address: '', hours: '8:00–17:00' }));
  await insertInChunks(Workshop, workshops);
  const tasks = workshops.flatMap((w) => ['组装', '包装', '质检'].map((n) => ({ _id: new Types.ObjectId(), workshop: w._id, name: n, unit: '件', rateFen: r.int(20, 200) })));
  await insertInChunks(Task, tasks);
  const workers = residents.slice(0, TOWN_YEAR.workers);
  const memberships = workers.map((wk, i) => {
    const w = workshops[i % workshops.length]!;
    return { _id: membershipId(String(w._id), String(wk._id)), workshop: w._id, resident: wk._id, residentName: wk.name, residentPhone: wk.phone, joinedAt: new Date() };
  });
  await insertInChunks(Membership, memberships);
  const staffId = new Types.ObjectId(ctx.users.miaoxiStaff!);
  const entries = Array.from({ length: TOWN_YEAR.ledger }, (_, i) => {
    const wk = workers[i % workers.length]!;
    const w = workshops[(i % workers.length) % workshops.length]!;
    const t = r.pick(tasks.filter((x) => x.workshop.equals(w._id)));
    const date = addDays(today, -r.int(0, 364));
    const counted = r.int(5, 80);
    const rejected = r.int(0, 3);
    return {
      idempotencyKey: `bench-${i}`,
      workshop: w._id,
      center: w.center,
      worker: wk._id,
      workerName: wk.name,
      task: t._id,
      taskName: t.name,
      unit: t.unit,
      kind: 'work',
      date,
      period: date.slice(0, 7),
      counted,
      rejected,
      accepted: counted - rejected,
      rateFen: t.rateFen,
      amountFen: (counted - rejected) * t.rateFen,
      createdBy: staffId,
      createdByName: '基准',
      createdAt: new Date(),
    };
  });
  await insertInChunks(LedgerEntry, entries, 5000);
  log(`ledger entries: ${entries.length}; rebuilding summaries…`);
  await rebuildSummaries();
  return { worker: String(workers[0]!._id), workshop: String(workshops[0]!._id) };
}
