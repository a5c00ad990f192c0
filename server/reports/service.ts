import { Posting } from '../../models/posting.ts';
import { Application } from '../../models/application.ts';
import { PostingSlot } from '../../models/posting-slot.ts';
import { Course } from '../../models/course.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { Attendance } from '../../models/attendance.ts';
import { Completion } from '../../models/completion.ts';
import { centerReports, createdSince } from '../store/index.ts';
import { dayKey, dayStart } from '../lib/format.ts';
import { allCenters, subtreeIds } from '../centers/tree.ts';

// Jobs and courses figures for staff reports, over a window of months. Each report reads the few
// fields it needs once, keeps them a minute for all staff (reports are read far more often than
// the minute matters), and cuts them by center and month in memory. The records that grow with
// the years (applications, enrolments, attendance, completions) are read by `_id` range, only
// those made since the window began (createdSince), so a report's cost follows the window and
// not the years stored. Postings, hires (slots) and courses are read whole: a hire or a
// publication has no bound on how long after its record's creation it happens.

const monthOf = (d: Date | null | undefined) => (d ? dayKey(d).slice(0, 7) : '');
/** When the first month of a window began, in the center's time zone. */
const windowStart = (months: string[]) => dayStart(`${months[0]}-01`);

/** Centers in a scope (null: all), each with the set of its subtree, for rolled-up rows. */
async function scopeCenters(scope: string | null): Promise<{ ids: Set<string>; rows: { id: string; below: Set<string> }[] }> {
  const ids = scope ? await subtreeIds(scope) : (await allCenters()).map((c) => c.id);
  const rows = await Promise.all(ids.map(async (id) => ({ id, below: new Set(await subtreeIds(id)) })));
  return { ids: new Set(ids), rows };
}

/** Figures per center, then per month of the window: what a report's reload counts once for every view. */
type Monthly<F> = Map<string, Record<string, F>>;

/** Adds one to `field` of a center's month, when the month is in the window. */
function countIn<F extends { [K in keyof F]: number }>(
  counts: Monthly<F>,
  months: string[],
  zero: () => F,
  center: string | undefined,
  month: string,
  field: keyof F,
) {
  if (!center || !months.includes(month)) return;
  if (!counts.has(center)) counts.set(center, Object.fromEntries(months.map((m) => [m, zero()])));
  (counts.get(center)![month]![field] as number) += 1;
}

/** The months' figures of the centers `within`, added up. */
function sumCenters<F extends { [K in keyof F]: number }>(counts: Monthly<F>, within: Iterable<string>, months: string[], zero: () => F): Record<string, F> {
  const out: Record<string, F> = Object.fromEntries(months.map((m) => [m, zero()]));
  for (const center of within) {
    const own = counts.get(center);
    if (!own) continue;
    for (const m of months) for (const k of Object.keys(out[m]!) as (keyof F)[]) (out[m]![k] as number) += own[m]![k] as number;
  }
  return out;
}

// ---------------------------------------------------------------- jobs

export interface JobFigures {
  postings: number;
  applications: number;
  hires: number;
}

const zeroJobs = (): JobFigures => ({ postings: 0, applications: 0, hires: 0 });

/**
 * Postings published, applications made and places accepted (claimed slots), counted per center
 * and month of the window when loaded, so that a view adds up a few figures per center instead
 * of walking every record (a decade holds some 60,000 postings and slots).
 */
function jobsData(months: string[]): Promise<Monthly<JobFigures>> {
  return centerReports.get(`jobs:${months[0]}`, async () => {
    const [posts, apps, slots] = await Promise.all([
      Posting.find({}, { center: 1, publishedAt: 1 }).lean(),
      Application.find(createdSince(windowStart(months)), { posting: 1, createdAt: 1 }).lean(),
      PostingSlot.find({}, { posting: 1, at: 1 }).lean(),
    ]);
    const counts: Monthly<JobFigures> = new Map();
    const add = (center: string | undefined, at: Date | null | undefined, field: keyof JobFigures) =>
      countIn(counts, months, zeroJobs, center, monthOf(at), field);
    const postingCenter = new Map(posts.map((p) => [String(p._id), String(p.center)]));
    for (const p of posts) add(String(p.center), p.publishedAt, 'postings');
    for (const a of apps) add(postingCenter.get(String(a.posting)), a.createdAt, 'applications');
    for (const h of slots) add(postingCenter.get(String(h.posting)), h.at, 'hires');
    return counts;
  });
}

export interface JobsReport {
  /** Scope totals per month, oldest first. */
  trend: ({ month: string } & JobFigures)[];
  /** Per center (with the centers below it) and month, only centers with any activity. */
  centers: { id: string; months: Record<string, JobFigures> }[];
}

/** Postings published, applications made and people hired, by month and center, in a scope. */
export async function jobsReport(scope: string | null, months: string[]): Promise<JobsReport> {
  const [data, centers] = await Promise.all([jobsData(months), scopeCenters(scope)]);
  const total = sumCenters(data, centers.ids, months, zeroJobs);
  return {
    trend: months.map((m) => ({ month: m, ...total[m]! })),
    centers: centers.rows
      .map((c) => ({ id: c.id, months: sumCenters(data, c.below, months, zeroJobs) }))
      .filter((c) => Object.values(c.months).some((f) => f.postings || f.applications || f.hires)),
  };
}

// ---------------------------------------------------------------- courses

interface CourseMonth {
  enrolments: number;
  attended: number;
  completions: number;
}

const zeroCourses = (): CourseMonth => ({ enrolments: 0, attended: 0, completions: 0 });

/** A listed course (still running when the window began, or later) with its totals. */
interface ListedCourse {
  id: string;
  title: string;
  center: string;
  capacity: number;
  status: string;
  firstSessionAt: Date | null;
  sessions: { startsAt: Date }[];
  enrolled: number;
  waitlisted: number;
  withdrawn: number;
  attended: number;
  completions: number;
}

/** The figures a listed course's row counts, one record each. */
type CourseCount = 'enrolled' | 'waitlisted' | 'withdrawn' | 'attended' | 'completions';

/**
 * Counted when loaded, as the job figures are: per center and month for the trend, and per
 * listed course for its row, so that a view adds up a few figures instead of walking every
 * enrolment and attendance of the window (some 20,000 at a decade) several times.
 */
interface CoursesData {
  months: Monthly<CourseMonth>;
  listed: ListedCourse[];
}

// An open waitlist offer is still waiting for its answer; a declined or lapsed one has left.
const SEAT_FIELD: Record<string, CourseCount> = {
  confirmed: 'enrolled',
  waitlisted: 'waitlisted',
  offered: 'waitlisted',
  withdrawn: 'withdrawn',
  cancelled: 'withdrawn',
  declined: 'withdrawn',
  lapsed: 'withdrawn',
};

function coursesData(months: string[]): Promise<CoursesData> {
  return centerReports.get(`courses:${months[0]}`, async () => {
    const start = windowStart(months);
    const courses = await Course.find(
      { status: { $ne: 'draft' } },
      { title: 1, center: 1, capacity: 1, status: 1, firstSessionAt: 1, lastSessionAt: 1, sessions: 1 },
    ).lean();
    const listed = courses.filter((c) => !c.lastSessionAt || c.lastSessionAt >= start);
    // A course's enrolments, attendance and completions are all made after the course itself:
    // reading from the oldest listed course's creation on finds every one of the table's records.
    const since = new Date(Math.min(start.getTime(), ...listed.map((c) => c._id.getTimestamp().getTime())));
    const [enrolments, attendance, completions] = await Promise.all([
      Enrolment.find(createdSince(since), { course: 1, status: 1, createdAt: 1 }).lean(),
      Attendance.find(createdSince(since), { course: 1, at: 1 }).lean(),
      Completion.find(createdSince(since), { course: 1, issuedAt: 1 }).lean(),
    ]);
    const centerOf = new Map(courses.map((c) => [String(c._id), String(c.center)]));
    const rows = new Map<string, ListedCourse>(
      listed.map((c) => [
        String(c._id),
        {
          id: String(c._id),
          title: c.title,
          center: String(c.center),
          capacity: c.capacity,
          status: c.status,
          firstSessionAt: c.firstSessionAt ?? null,
          sessions: (c.sessions ?? []).map((s) => ({ startsAt: s.startsAt })),
          enrolled: 0,
          waitlisted: 0,
          withdrawn: 0,
          attended: 0,
          completions: 0,
        },
      ]),
    );
    const counts: Monthly<CourseMonth> = new Map();
    /** One record: into its center's month (unless `month` is null) and its listed course's row. */
    const count = (course: unknown, at: Date | null | undefined, month: keyof CourseMonth | null, row: CourseCount | undefined) => {
      if (month) countIn(counts, months, zeroCourses, centerOf.get(String(course)), monthOf(at), month);
      const listedRow = rows.get(String(course));
      if (listedRow && row) listedRow[row] += 1;
    };
    for (const e of enrolments) count(e.course, e.createdAt, e.status === 'pending' ? null : 'enrolments', SEAT_FIELD[e.status]);
    for (const a of attendance) count(a.course, a.at, 'attended', 'attended');
    for (const c of completions) count(c.course, c.issuedAt, 'completions', 'completions');
    return { months: counts, listed: [...rows.values()] };
  });
}

export type CourseRow = Omit<ListedCourse, 'sessions'> & {
  /** Sessions held so far times enrolled learners: the attendance there could have been. */
  possible: number;
  /** Whole percent, or null before any session was held. */
  attendancePercent: number | null;
};

export interface CoursesReport {
  trend: { month: string; enrolments: number; attended: number; completions: number }[];
  courses: CourseRow[];
}

/**
 * Enrolments, attendance and completions per month in a scope, and per course for the courses
 * still running when the first month began, or later.
 */
export async function coursesReport(scope: string | null, months: string[], now = new Date()): Promise<CoursesReport> {
  const [data, centers] = await Promise.all([coursesData(months), scopeCenters(scope)]);
  const total = sumCenters(data.months, centers.ids, months, zeroCourses);
  return {
    trend: months.map((m) => ({ month: m, ...total[m]! })),
    courses: data.listed
      .filter((c) => centers.ids.has(c.center))
      .sort((a, b) => (b.firstSessionAt?.getTime() ?? 0) - (a.firstSessionAt?.getTime() ?? 0))
      .map(({ sessions, ...c }) => {
        // Sessions held so far times enrolled learners: the attendance there could have been.
        const possible = sessions.filter((s) => s.startsAt <= now).length * c.enrolled;
        return { ...c, possible, attendancePercent: possible ? Math.min(100, Math.round((c.attended / possible) * 100)) : null };
      }),
  };
}
