import type { Request } from 'express';
import { centerName, getCenter } from '../centers/tree.ts';
import { formatDate } from '../lib/format.ts';
import { myCourses } from '../courses/service/roster.ts';
import { myApplications } from '../gigs/service/applications.ts';
import { myWork } from '../workshops/me.ts';
import type { FormState } from '../http/validate.ts';
import { formOf } from '../http/validate.ts';

interface ResidentRecord {
  _id: unknown;
  name: string;
  phone: string;
  skills?: string[] | null;
  birthYear?: number | null;
  lowIncome?: boolean | null;
  lowIncomeConsentAt?: Date | null;
  homeCenter: unknown;
  mustChangePassword?: boolean | null;
}

/**
 * Everything staff at the desk see about one resident: the same reads the resident's own pages
 * use (their courses, applications and workshop earnings), so both always agree.
 */
export async function residentPage(req: Request, r: ResidentRecord, editForm?: FormState) {
  const id = String(r._id);
  const [courses, applications, work] = await Promise.all([myCourses(id), myApplications(id), myWork(id)]);
  return {
    title: r.name,
    phone: r.phone,
    resident: {
      id,
      name: r.name,
      phone: r.phone,
      skills: r.skills ?? [],
      birthYear: r.birthYear,
      lowIncome: !!r.lowIncome,
      lowIncomeConsent: !!r.lowIncomeConsentAt,
      mustChangePassword: !!r.mustChangePassword,
      center: centerName(await getCenter(String(r.homeCenter)), req.lang),
    },
    editForm: editForm ?? formOf({ name: r.name, birthYear: r.birthYear ?? '' }),
    courses: courses.map((x) => ({
      id: String(x.course._id),
      title: x.course.title,
      status: x.enrolment.status,
      statusLabel: req.t(`courses.enrolment.${x.enrolment.status}`),
      position: x.position,
      attended: x.attended,
      held: x.held,
      total: x.total,
      next: x.upcoming[0] ? formatDate(x.upcoming[0].startsAt, req.lang, 'datetime') : '',
      certificate: x.certificate,
    })),
    applications: applications.map((a) => ({
      posting: String(a.posting),
      title: a.postingTitle,
      status: a.status,
      label: req.t(`gigs.appStatus.${a.status}`),
      at: formatDate(a.createdAt, req.lang, 'date'),
    })),
    workshops: work.map((w) => ({
      id: w.workshop.id,
      name: w.workshop.name,
      // Pieces per task in their own unit (个, 盏 never added together).
      monthPieces: w.month.tasks.map((t) => `${t.name} ${t.accepted} ${t.unit}`).join(' · '),
      monthFen: w.month.amountFen,
      paidFen: w.periods.reduce((sum, p) => sum + (p?.paidAt ? p.amountFen : 0), 0),
      periods: w.periods.length,
    })),
  };
}
