import { Types } from 'mongoose';
import { Course } from '../../models/course.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { Workshop } from '../../models/workshop.ts';
import { Task } from '../../models/task.ts';
import { Membership } from '../../models/membership.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { Batch } from '../../models/batch.ts';
import { Dispute } from '../../models/dispute.ts';
import { WorkReport } from '../../models/work-report.ts';
import { Posting } from '../../models/posting.ts';
import { Employer } from '../../models/employer.ts';
import { Application } from '../../models/application.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { User } from '../../models/user.ts';
import { ArrearsCase } from '../../models/arrears-case.ts';
import { dayKey } from '../../server/lib/format.ts';
import { publishedPosting } from '../gigs/helpers.ts';
import type { SeedContext } from '../../server/seed/index.ts';

// Records of the Miaoxi village center, which Xunqiao town staff (13800000005) do not cover,
// for the staff route walk in routes.test.ts (issue 14, findings 3 and 4).

const MIAOXI_RESIDENT = '13800000003';
const FAR_STAFF = '13800000005';
const NO_SUCH = 'nosuchrecord0000';

export interface ScopeRecords {
  /** Out-of-scope values for route parameters (`area.id` or plain parameter names). */
  params: Record<string, string>;
  /** In-scope courses, workshops and postings for routes that name a resident by phone. */
  inScopeParams: Record<string, string>;
  /** Form fields a POST might need to get past validation. */
  body: Record<string, string>;
  residentPhone: string;
  /** Text that must never appear in an answer to the out-of-scope staff member. */
  secrets: string[];
  /** What changed for the out-of-scope records since the fixture was built (empty = nothing). */
  unchanged(): Promise<string[]>;
}

const id = (d: { _id: unknown } | null | undefined) => (d ? String(d._id) : NO_SUCH);

export async function outOfScopeRecords(ctx: SeedContext): Promise<ScopeRecords> {
  const miaoxi = ctx.centers.miaoxi!;
  const xunqiao = ctx.centers.xunqiao!;
  const resident = (await User.findOne({ phone: MIAOXI_RESIDENT }).lean())!;
  const far = (await User.findOne({ phone: FAR_STAFF }).lean())!;
  const employer = (await Employer.findOne({ center: new Types.ObjectId(miaoxi) }).lean())!;

  const course = (await Course.findOne({ center: miaoxi, status: 'published' }).lean())!;
  const enrolment = await Enrolment.findOne({ course: course._id }).lean();
  const workshop = (await Workshop.findOne({ center: miaoxi }).lean())!;
  const [task, entry, batch, dispute, report, member] = await Promise.all([
    Task.findOne({ workshop: workshop._id }).lean(),
    LedgerEntry.findOne({ workshop: workshop._id }).lean(),
    Batch.findOne({ workshop: workshop._id }).lean(),
    Dispute.findOne({ workshop: workshop._id }).lean(),
    WorkReport.findOne({ workshop: workshop._id }).lean(),
    Membership.findOne({ workshop: workshop._id }).lean(),
  ]);
  // An unpublished posting of another village: even reading it is out of bounds (finding 3).
  const posting = await publishedPosting(String(employer.user), miaoxi, { status: 'submitted', publishedAt: null, title: '庙西待审核' });

  // In-scope records for the desk-by-phone routes.
  // Without an age limit, so only the resident's center can stand in the way of the walk-in.
  const xqCourse = (await Course.findOne({ center: { $in: [xunqiao, ctx.centers.lifeng!] }, status: 'published', minAge: null, maxAge: null }).lean())!;
  const xqWorkshop = await Workshop.create({ name: '汛桥测试工坊', center: xunqiao });
  const xqPosting = await publishedPosting(String(employer.user), xunqiao, { title: '汛桥已发布' });
  // An open wage-arrears case of a Miaoxi job (staff of Miaoxi and above handle it).
  const arrearsCase = await ArrearsCase.create({
    _id: `${posting}:${String(resident._id)}`,
    posting,
    worker: resident._id,
    employer: employer.user,
    center: miaoxi,
    centerPath: [...(await Posting.findById(posting, { centerPath: 1 }).lean())!.centerPath],
    postingTitle: '庙西欠薪',
    employerName: employer.name,
    workerName: resident.name,
    workerPhone: resident.phone,
    startDay: dayKey(),
    endDay: dayKey(),
  });

  const snapshot = async () => ({
    audit: await AuditEntry.countDocuments({ actor: far._id }),
    enrolments: await Enrolment.countDocuments({ resident: resident._id }),
    memberships: await Membership.countDocuments({ resident: resident._id }),
    applications: await Application.countDocuments({ resident: resident._id }),
    resident: JSON.stringify(await User.findById(resident._id, { lowIncome: 1, name: 1 }).lean()),
    posting: (await Posting.findById(posting, { status: 1 }).lean())!.status,
    employer: (await Employer.findById(employer._id, { status: 1 }).lean())!.status,
    arrearsCase: JSON.stringify(await ArrearsCase.findById(arrearsCase._id, { state: 1, notes: 1 }).lean()),
    course: JSON.stringify(await Course.findById(course._id, { status: 1, title: 1, capacity: 1 }).lean()),
    workshop: JSON.stringify(await Workshop.findById(workshop._id, { name: 1, active: 1 }).lean()),
    entries: await LedgerEntry.countDocuments({ workshop: workshop._id }),
  });
  const before = await snapshot();

  return {
    params: {
      'courses.id': String(course._id),
      sid: String(course.sessions[0]!._id),
      eid: id(enrolment),
      fid: course.materials[0]?.id ?? NO_SUCH,
      'workshops.id': String(workshop._id),
      taskId: id(task),
      entryId: id(entry),
      batchId: id(batch),
      disputeId: id(dispute),
      reportId: id(report),
      workerId: member ? String(member.resident) : String(resident._id),
      month: dayKey().slice(0, 7),
      'postings.id': posting,
      'employers.id': String(employer._id),
      'arrears.id': arrearsCase._id,
      'residents.id': String(resident._id),
      'centers.id': miaoxi,
    },
    inScopeParams: { 'courses.id': String(xqCourse._id), 'workshops.id': String(xqWorkshop._id), 'postings.id': xqPosting },
    body: {
      phone: MIAOXI_RESIDENT,
      name: '',
      reason: '越权测试的理由',
      lowIncome: 'on',
      workerId: String(resident._id),
      taskId: id(task),
      counted: '5',
      rate: '1.00',
      decision: 'approve',
      idemKey: 'scope-walk-key-0001',
      consent: 'on',
      center: miaoxi,
      title: '越权创建',
    },
    residentPhone: MIAOXI_RESIDENT,
    secrets: [resident.name],
    async unchanged() {
      const after = await snapshot();
      return Object.keys(before)
        .filter((k) => before[k as keyof typeof before] !== after[k as keyof typeof after])
        .map((k) => `${k}: ${String(before[k as keyof typeof before])} → ${String(after[k as keyof typeof after])}`);
    },
  };
}

/** Desk routes that name a resident by phone, with the fields each posts. */
export const DESK_BY_PHONE: Record<string, (r: ScopeRecords) => Record<string, string>> = {
  '/staff/courses/:id/walk-in': (r) => ({ phone: r.residentPhone, name: '', birthYear: '' }),
  '/staff/workshops/:id/members': (r) => ({ phone: r.residentPhone, reason: '越权测试的理由' }),
  '/staff/postings/:id/apply-for': (r) => ({ phone: r.residentPhone, message: '', availability: '', consent: 'on' }),
};
