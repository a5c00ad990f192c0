import { Course, type CourseCategory } from '../../models/course.ts';
import { getCenter } from '../../server/centers/tree.ts';

const DAY = 86400_000;
const HOUR = 3600_000;

/** A published course at a center with `sessions` sessions starting tomorrow (or as given). */
export async function makeCourse(opts: {
  center: string;
  capacity?: number;
  sessions?: number;
  title?: string;
  category?: string;
  minAge?: number | null;
  maxAge?: number | null;
  completionPercent?: number;
  status?: 'draft' | 'published';
  firstStart?: Date;
  enrolOpens?: Date | null;
  enrolCloses?: Date | null;
}): Promise<string> {
  const node = await getCenter(opts.center);
  const first = opts.firstStart ?? new Date(Date.now() + DAY);
  const sessions = Array.from({ length: opts.sessions ?? 4 }, (_, i) => ({
    startsAt: new Date(first.getTime() + i * DAY),
    endsAt: new Date(first.getTime() + i * DAY + 2 * HOUR),
    topic: `第 ${i + 1} 课`,
  }));
  const doc = await Course.create({
    center: opts.center,
    centerName: node?.name ?? '',
    centerNameEn: node?.nameEn ?? '',
    title: opts.title ?? `测试课程 ${Math.random().toString(36).slice(2, 7)}`,
    category: (opts.category ?? 'baking') as CourseCategory,
    capacity: opts.capacity ?? 20,
    minAge: opts.minAge ?? null,
    maxAge: opts.maxAge ?? null,
    completionPercent: opts.completionPercent ?? 80,
    enrolOpens: opts.enrolOpens ?? null,
    enrolCloses: opts.enrolCloses ?? null,
    sessions,
    firstSessionAt: sessions[0]!.startsAt,
    lastSessionAt: sessions.at(-1)!.endsAt,
    status: opts.status ?? 'published',
  });
  return String(doc._id);
}
