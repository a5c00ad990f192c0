// Every audited action, by area. The audit page offers these as readable filters and words
// each entry as a sentence (server/i18n/<lang>/audit.json: kinds.* and actions.*, keyed by the
// code with dots turned into underscores). tests/audit/audit.test.ts checks that every action a
// service records is listed here and has words in both languages.
export const AUDIT_AREAS = {
  accounts: [
    'resident.staffFields',
    'resident.edit',
    'resident.passwordReset',
    'resident.loginUnlock',
    'account.disable',
    'account.enable',
    'staff.create',
    'staff.assignCenter',
  ],
  centers: ['center.create', 'center.update', 'center.contact'],
  gigs: ['gigs.category.create', 'gigs.employer.verify', 'gigs.employer.reject', 'gigs.posting.approve', 'gigs.posting.reject', 'gigs.application.onBehalf'],
  arrears: [
    'arrears.case.open',
    'arrears.case.note',
    'arrears.case.paid',
    'arrears.case.referred',
    'arrears.case.closed',
    'arrears.answer.change',
    'arrears.desk.onTime',
    'arrears.desk.late',
    'arrears.desk.unpaid',
  ],
  courses: [
    'course.create',
    'course.update',
    'course.publish',
    'course.cancel',
    'course.removeEnrolment',
    'course.walkIn',
    'course.rollCall',
    'course.complete',
    'course.materials',
    'course.materials.delete',
  ],
  workshops: [
    'workshop.create',
    'workshop.update',
    'workshop.task.add',
    'workshop.task.rate',
    'workshop.photos',
    'workshop.photos.delete',
    'workshop.member.admit',
    'workshop.member.override',
    'workshop.dispute.resolve',
    'workshop.order.create',
    'workshop.batch.issue',
    'workshop.period.close',
    'workshop.period.paid',
    'workshop.report.confirm',
    'workshop.report.decline',
    'workshop.entry.correct',
  ],
  backup: ['backup.create', 'backup.failed', 'backup.restore'],
  privacy: ['privacy.sensitiveView'],
} as const;

export type AuditArea = keyof typeof AUDIT_AREAS;
export const ALL_ACTIONS: readonly string[] = Object.values(AUDIT_AREAS).flat();

/** i18n keys cannot hold dots inside a segment: `course.materials.delete` → `course_materials_delete`. */
export const actionKey = (action: string) => action.replace(/\./g, '_');

/** The actions a kind filter stands for: a whole area or one action. */
export function actionsOfKind(kind: string): string[] | null {
  if (!kind) return null;
  if (kind in AUDIT_AREAS) return [...AUDIT_AREAS[kind as AuditArea]];
  return ALL_ACTIONS.includes(kind) ? [kind] : null;
}
