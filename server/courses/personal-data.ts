import { Enrolment } from '../../models/enrolment.ts';
// Loaded for ownedBy(), which finds models by name.
import '../../models/seat.ts';
import '../../models/attendance.ts';
import '../../models/completion.ts';
import '../../models/course.ts';
import { Refusal } from '../lib/refusal.ts';
import { ownedBy, staffOnly, type PersonalData } from '../privacy/declare.ts';
import { withdraw } from './service/enrolment.ts';

// The courses' personal data. Places still held are given up (a waiting resident moves up);
// attendance and completions stay for the course records with the name replaced.

const enrolments: PersonalData = {
  ...ownedBy('Enrolment', {
    subject: 'resident',
    section: 'enrolments',
    fields: ['courseTitle', 'status', 'source', 'createdAt', 'confirmedAt', 'endedAt'],
    erase: 'keep',
    kept: 'courses',
  }),
  async erase(ctx) {
    for (const e of await Enrolment.find({ resident: ctx.userId, status: { $in: ['confirmed', 'waitlisted', 'offered'] } }, { course: 1 }).lean()) {
      try {
        await withdraw(String(e.course), ctx.id);
      } catch (err) {
        // A course that has ended or been cancelled keeps its roll as it was.
        if (!(err instanceof Refusal)) throw err;
      }
    }
    await Enrolment.updateMany({ resident: ctx.userId }, { $set: { residentName: ctx.alias, residentPhone: '' } });
  },
};

export const coursesData: readonly PersonalData[] = [
  enrolments,
  ownedBy('Seat', { subject: 'resident', section: '', fields: [], erase: 'keep', kept: 'courses' }),
  ownedBy('Attendance', {
    subject: 'resident',
    userPaths: ['resident', 'by'],
    section: 'attendance',
    fields: ['course', 'session', 'method', 'at'],
    erase: (ctx) => ({ residentName: ctx.alias }),
    kept: 'courses',
  }),
  ownedBy('Completion', {
    subject: 'resident',
    section: 'completions',
    fields: ['courseTitle', 'centerName', 'code', 'issuedAt'],
    erase: (ctx) => ({ residentName: ctx.alias }),
    kept: 'courses',
  }),
  staffOnly('Course', ['createdBy']),
];
