import type { Request } from 'express';
import { centerName, getCenter, type CenterNode } from '../centers/tree.ts';
import { searchPostings } from '../gigs/service/search.ts';
import { card } from '../gigs/view.ts';
import { catalogue, nextSession } from '../courses/service/catalog.ts';
import { formatDate, telHref } from '../lib/format.ts';

const POSTINGS_SHOWN = 3;
const COURSES_SHOWN = 3;

/**
 * "Near me": the town a village center belongs to (neighbouring villages share its jobs and
 * courses), or the center itself when it is a town or the city.
 */
function nearbyOf(center: CenterNode | undefined): string {
  if (!center) return '';
  return center.level === 'village' && center.parent ? center.parent : center.id;
}

function centerCard(c: CenterNode | undefined, req: Request) {
  if (!c) return null;
  return { id: c.id, name: centerName(c, req.lang), address: c.address, hours: c.hours, phone: c.phone, tel: telHref(c.phone) };
}

/**
 * The front door: newest open jobs, courses with seats and their next class, and the visitor's
 * own center. Everything comes from the in-process caches the job search and the course
 * catalogue already keep, so an anonymous visit adds no database read.
 */
export async function homePage(req: Request) {
  const user = req.user;
  const own = user ? await getCenter(user.staffCenter ?? user.homeCenter) : undefined;
  const near = nearbyOf(own);
  const search = (center: string) => searchPostings({ q: '', center, category: '', payType: '', minPay: '', within: undefined, tag: '', sort: 'new', page: 1 });
  // Near first; when nothing is open nearby, the whole city's newest rather than an empty box.
  let postings = (await search(near)).items;
  const postingsNear = !!near && postings.length > 0;
  if (!postings.length && near) postings = (await search('')).items;
  let courses = await catalogue({ center: near || undefined, seatsOnly: true });
  const coursesNear = !!near && courses.length > 0;
  if (!courses.length && near) courses = await catalogue({ seatsOnly: true });
  const now = new Date();
  const soonest = courses
    .map((x) => ({ ...x, next: nextSession(x.course, now) }))
    .filter((x) => x.next)
    .sort((a, b) => a.next!.startsAt.getTime() - b.next!.startsAt.getTime())
    .slice(0, COURSES_SHOWN);
  return {
    postingsNear,
    coursesNear,
    nearName: near ? centerName(await getCenter(near), req.lang) : '',
    postings: await Promise.all(postings.slice(0, POSTINGS_SHOWN).map((p) => card(req, p))),
    courses: soonest.map((x) => ({
      id: String(x.course._id),
      title: x.course.title,
      center: req.lang === 'en' && x.course.centerNameEn ? x.course.centerNameEn : x.course.centerName,
      next: formatDate(x.next!.startsAt, req.lang, 'datetime'),
      left: Math.max(0, x.course.capacity - x.taken),
    })),
    center: centerCard(own, req),
  };
}
