// Benchmark data: `demo` is the seed; `town-year` is a year of one busy town (issue 6); `decade`
// is ten such years of the same town (issue 11): the same centers, workshops and workers, and
// each year its own residents, employers, postings, applications, courses and ledger.
// Bulk inserts, seeded random (one seed per year), so two runs produce the same data.
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
import { rebuildAllRolls } from '../server/courses/service/roll.ts';
import { Workshop } from '../models/workshop.ts';
import { Task } from '../models/task.ts';
import { Membership, membershipId } from '../models/membership.ts';
import { LedgerEntry } from '../models/ledger-entry.ts';
import { hashPassword } from '../server/accounts/passwords.ts';
import { invalidateCenters } from '../server/centers/tree.ts';
import { rebuildSummaries } from '../server/workshops/summaries.ts';
import { withCheckChar } from '../server/gigs/credit-code.ts';
import { dayKey, dayStart } from '../server/lib/format.ts';
import { numberedSlotId } from '../server/store/index.ts';
import { repairPendingLists } from '../server/gigs/service/applicants.ts';
import { rebuildListings } from '../server/gigs/service/listings.ts';
import { seedDemo, type SeedContext } from '../server/seed/index.ts';

/** One year of the town (the workshops and their workers stay; the rest is per year). */
export const TOWN_YEAR = {
  centers: 20,
  postings: 2000,
  applications: 20_000,
  residents: 5000,
  courses: 40,
  enrolments: 1500,
  workshops: 3,
  workers: 200,
  ledger: 60_000,
};

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

/** How many years each volume holds. */
export const VOLUME_YEARS = { 'town-year': 1, decade: 10 } as const;

function addDays(day: string, n: number): string {
  const d = dayStart(day);
  d.setUTCDate(d.getUTCDate() + n);
  return dayKey(d);
}

type BulkModel = { insertMany(docs: object[], opts: object): Promise<unknown>; applyDefaults(doc: object): object };

// lean inserts skip casting, so schema defaults are applied here: without them a generated task or
// workshop has no `active` and the app treats it as switched off.
async function insertInChunks(model: BulkModel, docs: object[], size = 2000): Promise<void> {
  for (let i = 0; i < docs.length; i += size) {
    await model.insertMany(
      docs.slice(i, i + size).map((d) => model.applyDefaults(d)),
      { ordered: false, lean: true },
    );
  }
}

export async function generateDemo(): Promise<SeedContext> {
  return seedDemo('development');
}

/** What every year of the town shares: its centers, workshops with their tasks, and the workers. */
interface Town {
  linhai: Types.ObjectId;
  townId: Types.ObjectId;
  villages: { _id: Types.ObjectId; name: string }[];
  workshops: { _id: Types.ObjectId; center: Types.ObjectId }[];
  tasks: { _id: Types.ObjectId; workshop: Types.ObjectId; name: string; unit: string; rateFen: number }[];
  /** Each worker with the workshop they belong to. */
  workers: { _id: Types.ObjectId; name: string; workshop: Types.ObjectId }[];
}

type Resident = { _id: Types.ObjectId; name: string; phone: string; homeCenter: Types.ObjectId };

/** The bench town's centers (one town, 19 villages), created once. */
async function createTown(ctx: SeedContext, r: ReturnType<typeof rng>): Promise<Omit<Town, 'workers'>> {
  const linhai = new Types.ObjectId(ctx.centers.linhai!);
  const townId = new Types.ObjectId();
  const villages = Array.from({ length: TOWN_YEAR.centers - 1 }, (_, i) => ({
    _id: new Types.ObjectId(),
    name: `基准${i + 1}村党群服务中心`,
    nameEn: `Bench Village ${i + 1}`,
    level: 'village',
    parent: townId,
    ancestors: [linhai, townId],
  }));
  await Center.insertMany([
    { _id: townId, name: '基准镇党群服务中心', nameEn: 'Bench Town Center', level: 'town', parent: linhai, ancestors: [linhai] },
    ...villages,
  ]);
  invalidateCenters();
  const workshops = Array.from({ length: TOWN_YEAR.workshops }, (_, i) => ({
    _id: new Types.ObjectId(),
    name: `基准工坊${i}`,
    center: villages[i]!._id,
    description: '',
    address: '',
    hours: '8:00–17:00',
  }));
  await insertInChunks(Workshop, workshops);
  const tasks = workshops.flatMap((w) =>
    ['组装', '包装', '质检'].map((n) => ({ _id: new Types.ObjectId(), workshop: w._id, name: n, unit: '件', rateFen: r.int(20, 200) })),
  );
  await insertInChunks(Task, tasks);
  return { linhai, townId, villages, workshops, tasks };
}

/** The town as an earlier call left it (a decade generated after the town's year). */
async function loadTown(ctx: SeedContext): Promise<Town> {
  const town = await Center.findOne({ name: '基准镇党群服务中心' }, { _id: 1 }).lean();
  if (!town) throw new Error('the bench town is not there: generate year 0 first');
  const villages = (await Center.find({ parent: town._id }, { name: 1 }).lean()).map((c) => ({ _id: c._id, name: c.name }));
  const workshops = (
    await Workshop.find({ name: /^基准工坊/ }, { center: 1, name: 1 })
      .sort({ name: 1 })
      .lean()
  ).map((w) => ({ _id: w._id, center: w.center as Types.ObjectId }));
  const tasks = (await Task.find({ workshop: { $in: workshops.map((w) => w._id) } }).lean()).map((t) => ({
    _id: t._id,
    workshop: t.workshop as Types.ObjectId,
    name: t.name,
    unit: t.unit,
    rateFen: t.rateFen,
  }));
  const members = await Membership.find({ workshop: { $in: workshops.map((w) => w._id) } }, { workshop: 1, resident: 1, residentName: 1 })
    .sort({ _id: 1 })
    .lean();
  const workers = members.map((m) => ({ _id: m.resident as Types.ObjectId, name: m.residentName, workshop: m.workshop as Types.ObjectId }));
  return { linhai: new Types.ObjectId(ctx.centers.linhai!), townId: town._id, villages, workshops, tasks, workers };
}

/**
 * Adds years `from`..`to`-1 of the bench town on top of the demo seed (which supplies the
 * accounts used to log in); year 0 is the year up to today, year y the y-th before it. `scale`
 * (BENCH_SCALE) shrinks every per-year count, to check the generator quickly.
 */
export async function generateYears(
  ctx: SeedContext,
  from: number,
  to: number,
  log: (m: string) => void = () => {},
  scale = Number(process.env.BENCH_SCALE ?? 1),
): Promise<{ worker: string; workshop: string }> {
  const hash = await hashPassword('doorstep-demo');
  let town: Town | undefined = from > 0 ? await loadTown(ctx) : undefined;
  for (let y = from; y < to; y++) {
    const r = rng(20261126 + y);
    const base = town ?? { ...(await createTown(ctx, r)), workers: [] };
    const residents = await generateYear(base, y, r, hash, scale, log);
    if (!town) {
      // The workshops' workers are year 0's first residents; they keep working there every year.
      const first = residents.slice(0, TOWN_YEAR.workers);
      base.workers = first.map((res, i) => ({ _id: res._id, name: res.name, workshop: base.workshops[i % base.workshops.length]!._id }));
      await insertInChunks(
        Membership,
        first.map((res, i) => ({
          _id: membershipId(String(base.workers[i]!.workshop), String(res._id)),
          workshop: base.workers[i]!.workshop,
          resident: res._id,
          residentName: res.name,
          residentPhone: res.phone,
          joinedAt: new Date(),
        })),
      );
      town = base;
    }
    await generateLedger(town, y, r, new Types.ObjectId(ctx.users.miaoxiStaff!), scale);
    log(`year ${y} generated`);
  }
  log('rebuilding summaries and course rolls…');
  await rebuildSummaries();
  await rebuildAllRolls(); // the generated seats and waiting lists, as the start-up repair would
  const workshop = town!.workshops[0]!._id;
  return { worker: String(town!.workers.find((w) => w.workshop.equals(workshop))!._id), workshop: String(workshop) };
}

/** Adds the town's year of data on top of the demo seed. */
export function generateTownYear(ctx: SeedContext, log: (m: string) => void = () => {}) {
  return generateYears(ctx, 0, 1, log);
}

const per = (n: number, scale: number) => Math.max(1, Math.round(n * scale));

let idSeq = 0;
/**
 * An ObjectId made at `at`, as the record would have got then (an ObjectId begins with the second
 * it was made, and reports read records by `_id` range), unique within the run.
 */
function idAt(at: Date): Types.ObjectId {
  const seconds = Math.floor(at.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  return new Types.ObjectId(seconds + (idSeq++).toString(16).padStart(16, '0'));
}
/** `days` after `at`, but never later than now. */
const later = (at: Date, days: number) => new Date(Math.min(Date.now(), at.getTime() + days * 86400_000));
/** A day of year y: year 0 is the last 365 days up to today, year y the y-th before. */
const dayOfYear = (today: string, y: number, r: ReturnType<typeof rng>) => addDays(today, -(y * 365 + r.int(0, 364)));

/** One year's residents, employers, postings with applications, and courses with enrolments. */
async function generateYear(
  town: Omit<Town, 'workers'>,
  y: number,
  r: ReturnType<typeof rng>,
  hash: string,
  scale: number,
  log: (m: string) => void,
): Promise<Resident[]> {
  const today = dayKey();
  const villageIds = town.villages.map((v) => v._id);
  const path = (center: Types.ObjectId) => [town.linhai, town.townId, center];
  // Numbers (phones, codes) are offset by the full-size year, so years never collide at any scale.
  const residents: Resident[] = Array.from({ length: per(TOWN_YEAR.residents, scale) }, (_, i) => ({
    _id: new Types.ObjectId(),
    phone: `150${String(y * TOWN_YEAR.residents + i).padStart(8, '0')}`,
    name: `${r.pick(SURNAMES)}${r.pick(GIVEN)}`,
    homeCenter: r.pick(villageIds),
  }));
  const employers = Array.from({ length: per(100, scale) }, (_, i) => ({
    _id: new Types.ObjectId(),
    n: y * 100 + i,
    phone: `151${String(y * 100 + i).padStart(8, '0')}`,
    name: `雇主${y * 100 + i}`,
    homeCenter: r.pick(villageIds),
  }));
  await insertInChunks(User, [
    ...residents.map((u) => ({ ...u, role: 'resident', passwordHash: hash, lowIncome: r.next() < 0.2, birthYear: r.int(1950, 2000), skills: [] })),
    ...employers.map((e) => ({ _id: e._id, phone: e.phone, name: e.name, role: 'employer', passwordHash: hash, homeCenter: e.homeCenter, skills: [] })),
  ]);
  await insertInChunks(
    Employer,
    employers.map((e) => ({
      user: e._id,
      name: `基准企业${e.n}`,
      contactName: e.name,
      phone: e.phone,
      address: '基准镇',
      creditCode: withCheckChar(`91331082MA2D${String(e.n).padStart(5, '0')}`),
      center: e.homeCenter,
      centerPath: path(e.homeCenter),
      status: 'verified',
    })),
  );

  const postings = Array.from({ length: per(TOWN_YEAR.postings, scale) }, (_, i) => {
    const emp = r.pick(employers);
    const center = r.pick(villageIds);
    const start = y === 0 ? addDays(today, r.int(-300, 60)) : dayOfYear(today, y, r);
    const published = r.next() < 0.5 && start >= addDays(today, -30);
    const n = y * TOWN_YEAR.postings + i;
    const created = later(dayStart(start), -r.int(3, 30));
    return {
      _id: idAt(created),
      createdAt: created,
      employer: emp._id,
      employerName: `基准企业${emp.n}`,
      title: `${r.pick(TITLES)}${n}`,
      description: '工作内容：按要求完成，日结，包午饭。欢迎附近村民报名。',
      category: r.pick(CATEGORIES),
      payType: r.pick(['hour', 'day', 'piece', 'job']),
      payFen: r.int(15, 300) * 100,
      headcount: r.int(1, 30),
      startDay: start,
      endDay: addDays(start, r.int(1, 90)),
      center,
      centerPath: path(center),
      suitability: r.next() < 0.3 ? ['older'] : [],
      status: published ? 'published' : r.pick(['expired', 'filled', 'closed', 'draft']),
      code: String(900000 + n),
      publishedAt: published ? later(created, 1) : null,
    };
  });
  await insertInChunks(Posting, postings);

  const applications: Record<string, unknown>[] = [];
  const slots: Record<string, unknown>[] = [];
  const filled = new Map<Types.ObjectId, number>();
  const taken = new Set<string>();
  while (applications.length < per(TOWN_YEAR.applications, scale)) {
    const p = r.pick(postings);
    const res = r.pick(residents);
    const key = `${p._id}:${res._id}`;
    if (taken.has(key)) continue;
    taken.add(key);
    const accepted = (filled.get(p._id) ?? 0) < p.headcount && r.next() < 0.2;
    const created = later(p.createdAt, r.int(0, 20));
    const id = idAt(created);
    applications.push({
      _id: id,
      createdAt: created,
      posting: p._id,
      employer: p.employer,
      resident: res._id,
      residentName: res.name,
      residentPhone: res.phone,
      postingTitle: p.title,
      status: accepted ? 'accepted' : r.pick(['pending', 'rejected']),
      activeKey: key,
      slotNo: accepted ? (filled.get(p._id) ?? 0) + 1 : null,
    });
    if (accepted) {
      const slotNo = (filled.get(p._id) ?? 0) + 1;
      filled.set(p._id, slotNo);
      slots.push({ _id: numberedSlotId(String(p._id), slotNo), posting: p._id, slotNo, application: id, at: later(created, r.int(0, 5)) });
    }
  }
  await insertInChunks(Application, applications);
  await insertInChunks(PostingSlot, slots);
  await repairPendingLists(); // the pending applications listed per posting, as apply() does
  await rebuildListings(); // the open ones on the public list, as approval puts them

  const courses = Array.from({ length: per(TOWN_YEAR.courses, scale) }, (_, i) => {
    const center = r.pick(town.villages);
    const first = new Date(Date.now() + (y === 0 ? r.int(-200, 40) : -(y * 365 + r.int(0, 364))) * 86400_000);
    const sessions = Array.from({ length: 6 }, (_, k) => ({
      _id: new Types.ObjectId(),
      startsAt: new Date(first.getTime() + k * 7 * 86400_000),
      endsAt: new Date(first.getTime() + k * 7 * 86400_000 + 2 * 3600_000),
      topic: `第${k + 1}课`,
    }));
    const created = later(first, -r.int(14, 60));
    return {
      _id: idAt(created),
      createdAt: created,
      center: center._id,
      centerName: center.name,
      title: `${r.pick(['烘焙', '保育', '电工', '电商', '养老护理'])}培训班 ${y * TOWN_YEAR.courses + i}`,
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
  const seated = new Map<Types.ObjectId, number>();
  const enrolled = new Set<string>();
  while (enrolments.length < per(TOWN_YEAR.enrolments, scale)) {
    const c = r.pick(courses);
    const res = r.pick(residents);
    const key = `${c._id}:${res._id}`;
    if (enrolled.has(key)) continue;
    enrolled.add(key);
    const seatNo = (seated.get(c._id) ?? 0) + 1;
    const confirmed = seatNo <= c.capacity;
    const created = later(c.createdAt, r.int(0, 13));
    const id = idAt(created);
    enrolments.push({
      _id: id,
      course: c._id,
      resident: res._id,
      activeKey: key,
      status: confirmed ? 'confirmed' : 'waitlisted',
      residentName: res.name,
      residentPhone: res.phone,
      courseTitle: c.title,
      center: c.center,
      createdAt: created,
    });
    if (confirmed) {
      seated.set(c._id, seatNo);
      seats.push({ _id: numberedSlotId(String(c._id), seatNo), course: c._id, seatNo, enrolment: id, resident: res._id });
    }
  }
  await insertInChunks(Enrolment, enrolments);
  await insertInChunks(Seat, seats);
  log(
    `year ${y}: ${residents.length} residents, ${postings.length} postings, ${applications.length} applications (${slots.length} accepted), ${courses.length} courses, ${enrolments.length} enrolments`,
  );
  return residents;
}

/** One year of piece-work by the town's workers (summaries are rebuilt once at the end). */
async function generateLedger(town: Town, y: number, r: ReturnType<typeof rng>, staffId: Types.ObjectId, scale: number): Promise<void> {
  const today = dayKey();
  const { workers, workshops, tasks } = town;
  const entries = Array.from({ length: per(TOWN_YEAR.ledger, scale) }, (_, i) => {
    const wk = workers[i % workers.length]!;
    const w = workshops.find((x) => x._id.equals(wk.workshop))!;
    const t = r.pick(tasks.filter((x) => x.workshop.equals(w._id)));
    const date = dayOfYear(today, y, r);
    const counted = r.int(5, 80);
    const rejected = r.int(0, 3);
    return {
      idempotencyKey: `bench-${y}-${i}`,
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
}
