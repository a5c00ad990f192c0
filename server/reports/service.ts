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
type JobsData = Map<string, Record<string, JobFigures>>;

function jobsData(months: string[]): Promise<JobsData> {
  return centerReports.get(`jobs:${months[0]}`, async () => {
    const [posts, apps, slots] = await Promise.all([
      Posting.find({}, { center: 1, publishedAt: 1 }).lean(),
      Application.find(createdSince(windowStart(months)), { posting: 1, createdAt: 1 }).lean(),
      PostingSlot.find({}, { posting: 1, at: 1 }).lean(),
    ]);
    const inWindow = new Set(months);
    const counts: JobsData = new Map();
    const add = (center: string | undefined, at: Date | null | undefined, field: keyof JobFigures) => {
      const month = monthOf(at);
      if (!center || !inWindow.has(month)) return;
      if (!counts.has(center)) counts.set(center, Object.fromEntries(months.map((m) => [m, zeroJobs()])));
      counts.get(center)![month]![field] += 1;
    };
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
  const tally = (within: Set<string>) => {
    const out: Record<string, JobFigures> = Object.fromEntries(months.map((m) => [m, zeroJobs()]));
    for (const center of within) {
      const own = data.get(center);
      if (!own) continue;
      for (const m of months) {
        out[m]!.postings += own[m]!.postings;
        out[m]!.applications += own[m]!.applications;
        out[m]!.hires += own[m]!.hires;
      }
    }
    return out;
  };
  const total = tally(centers.ids);
  return {
    trend: months.map((m) => ({ month: m, ...total[m]! })),
    centers: centers.rows
      .map((c) => ({ id: c.id, months: tally(c.below) }))
      .filter((c) => Object.values(c.months).some((f) => f.postings || f.applications || f.hires)),
  };
}

// ---------------------------------------------------------------- courses

interface CoursesData {
  /** Every course but drafts; `listed`: still running when the window began, or later (the report's table). */
  courses: {
    id: string;
    title: string;
    center: string;
    capacity: number;
    status: string;
    firstSessionAt: Date | null;
    sessions: { startsAt: Date }[];
    listed: boolean;
  }[];
  /** Of the listed courses, and of any course in the window's months. */
  enrolments: { course: string; status: string; month: string }[];
  attendance: { course: string; month: string }[];
  completions: { course: string; month: string }[];
}

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
    const isListed = new Set(listed.map((c) => String(c._id)));
    return {
      courses: courses.map((c) => ({
        id: String(c._id),
        title: c.title,
        center: String(c.center),
        capacity: c.capacity,
        status: c.status,
        firstSessionAt: c.firstSessionAt ?? null,
        sessions: (c.sessions ?? []).map((s) => ({ startsAt: s.startsAt })),
        listed: isListed.has(String(c._id)),
      })),
      enrolments: enrolments.map((e) => ({ course: String(e.course), status: e.status, month: monthOf(e.createdAt) })),
      attendance: attendance.map((a) => ({ course: String(a.course), month: monthOf(a.at) })),
      completions: completions.map((c) => ({ course: String(c.course), month: monthOf(c.issuedAt) })),
    };
  });
}

export interface CourseRow {
  id: string;
  title: string;
  center: string;
  status: string;
  firstSessionAt: Date | null;
  capacity: number;
  enrolled: number;
  waitlisted: number;
  withdrawn: number;
  /** Sessions held so far times enrolled learners: the attendance there could have been. */
  possible: number;
  attended: number;
  /** Whole percent, or null before any session was held. */
  attendancePercent: number | null;
  completions: number;
}

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
  const inScope = data.courses.filter((c) => centers.ids.has(c.center));
  const ids = new Set(inScope.map((c) => c.id));
  const count = <T extends { course: string }>(list: T[], keep: (x: T) => boolean = () => true) => {
    const m = new Map<string, number>();
    for (const x of list) if (ids.has(x.course) && keep(x)) m.set(x.course, (m.get(x.course) ?? 0) + 1);
    return m;
  };
  const enrolled = count(data.enrolments, (e) => e.status === 'confirmed');
  // An open waitlist offer is still waiting for its answer; a declined or lapsed one has left.
  const waiting = count(data.enrolments, (e) => e.status === 'waitlisted' || e.status === 'offered');
  const withdrawn = count(data.enrolments, (e) => ['withdrawn', 'cancelled', 'declined', 'lapsed'].includes(e.status));
  const attended = count(data.attendance);
  const completed = count(data.completions);
  const inMonth = (list: { course: string; month: string }[], m: string) => list.filter((x) => ids.has(x.course) && x.month === m).length;
  return {
    trend: months.map((m) => ({
      month: m,
      enrolments: inMonth(
        data.enrolments.filter((e) => e.status !== 'pending'),
        m,
      ),
      attended: inMonth(data.attendance, m),
      completions: inMonth(data.completions, m),
    })),
    courses: inScope
      .filter((c) => c.listed)
      .sort((a, b) => (b.firstSessionAt?.getTime() ?? 0) - (a.firstSessionAt?.getTime() ?? 0))
      .map((c) => {
        const held = c.sessions.filter((s) => s.startsAt <= now).length;
        const possible = held * (enrolled.get(c.id) ?? 0);
        const att = attended.get(c.id) ?? 0;
        return {
          id: c.id,
          title: c.title,
          center: c.center,
          status: c.status,
          firstSessionAt: c.firstSessionAt,
          capacity: c.capacity,
          enrolled: enrolled.get(c.id) ?? 0,
          waitlisted: waiting.get(c.id) ?? 0,
          withdrawn: withdrawn.get(c.id) ?? 0,
          possible,
          attended: att,
          attendancePercent: possible ? Math.min(100, Math.round((att / possible) * 100)) : null,
          completions: completed.get(c.id) ?? 0,
        };
      }),
  };
}
