import { isDuplicateKey } from '../store/index.ts';
import { Course } from '../../models/course.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { readRoll } from './service/roll.ts';
import { CourseReminder } from '../../models/course-reminder.ts';
import { notify } from '../notifications/service.ts';

import { formatDate } from '../lib/format.ts';
import type { ScheduledJob } from '../scheduler.ts';

const DAY = 24 * 3600_000;

/**
 * Reminds confirmed residents of a session starting within the next day, once: the reminder
 * is claimed by inserting `<session>:<resident>` under the _id index before notifying (on the
 * site, and by SMS for those who chose it). The confirmed are the enrolments holding the course's
 * seats on its roll, each read by `_id`: a filter on enrolments would read all of them, every
 * year's, for each course every ten minutes.
 */
export async function sendSessionReminders(now = new Date()): Promise<number> {
  const horizon = new Date(now.getTime() + DAY);
  const courses = await Course.find({ status: 'published', lastSessionAt: { $gt: now } }, { title: 1, sessions: 1, venue: 1 }).lean();
  let sent = 0;
  for (const c of courses) {
    const soon = c.sessions.filter((s) => s.startsAt > now && s.startsAt <= horizon);
    if (!soon.length) continue;
    const seated = await Promise.all((await readRoll(c._id)).seats.map((seat) => Enrolment.findById(seat.e, { resident: 1, status: 1 }).lean()));
    const confirmed = seated.filter((e) => e?.status === 'confirmed').map((e) => e!);
    for (const s of soon) {
      for (const e of confirmed) {
        const key = `${String(s._id)}:${String(e.resident)}`;
        try {
          await CourseReminder.create({ _id: key });
        } catch (err) {
          if (isDuplicateKey(err)) continue;
          throw err;
        }
        // startsAt lets the text message say the time in the resident's own language; the key
        // keeps it to one SMS per session and resident (server/outbox).
        const params = { course: c.title, when: formatDate(s.startsAt, 'zh-CN', 'datetime'), venue: c.venue ?? '', startsAt: s.startsAt.toISOString() };
        await notify(String(e.resident), 'courseReminder', params, `/courses/${String(c._id)}`, { key: `reminder:${key}` });
        sent += 1;
      }
    }
  }
  return sent;
}

export const courseReminderJob: ScheduledJob = { name: 'course-reminders', everyMs: 10 * 60_000, run: () => sendSessionReminders() };
