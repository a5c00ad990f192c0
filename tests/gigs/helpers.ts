import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { csrfFrom, type Agent } from '../helpers/app.ts';
import { makeUser } from '../helpers/data.ts';
import { Employer } from '../../models/employer.ts';
import { Posting } from '../../models/posting.ts';
import { getCenter } from '../../server/centers/tree.ts';
import { dayKey } from '../../server/lib/format.ts';
import { withCheckChar } from '../../server/gigs/credit-code.ts';
import { listingChanged } from '../../server/gigs/service/listings.ts';

export function inDays(n: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + n);
  return dayKey(d);
}

export function postingFields(center: string, over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    title: '测试零工',
    description: '测试用的工作内容',
    category: 'factory',
    payType: 'day',
    pay: '150',
    headcount: '3',
    startDay: inDays(1),
    endDay: inDays(10),
    dailyHours: '8:00–17:00',
    center,
    address: '村委旁',
    contact: '王老板 13800000002',
    ...over,
  };
}

/** Posts the (multipart) posting form like a browser; returns the response. */
export async function sendPostingForm(ag: Agent, action: string, fields: Record<string, string | string[]>, files: { name: string; data: Buffer }[] = []) {
  const page = await ag.get('/employer/postings/new');
  assert.equal(page.status, 200, `GET new posting → ${page.status}`);
  const req = ag.post(`${action}?_csrf=${encodeURIComponent(csrfFrom(page.text))}`);
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) req.field(k, x);
  for (const f of files) req.attach('attachments', f.data, f.name);
  return req;
}

export async function createPostingHttp(ag: Agent, fields: Record<string, string | string[]>, files: { name: string; data: Buffer }[] = []): Promise<string> {
  const res = await sendPostingForm(ag, '/employer/postings', fields, files);
  assert.equal(res.status, 302, `create posting → ${res.status} ${res.text.slice(0, 2000)}`);
  const m = /\/employer\/postings\/([a-f\d]{24})$/.exec(res.headers.location ?? '');
  assert.ok(m, `redirected to the posting, got ${res.headers.location}`);
  return m[1]!;
}

let codeSeq = 500000;
/** A published posting written straight to the database (for tests about applying and searching). */
export async function publishedPosting(employerId: string, centerId: string, over: Record<string, unknown> = {}): Promise<string> {
  const center = (await getCenter(centerId))!;
  const doc = await Posting.create({
    employer: new Types.ObjectId(employerId),
    employerName: '测试雇主',
    title: '测试零工',
    description: '内容',
    category: 'factory',
    payType: 'day',
    payFen: 15000,
    headcount: 3,
    startDay: inDays(1),
    endDay: inDays(10),
    center: center.id,
    centerPath: [...center.ancestors, center.id],
    contact: '电话',
    status: 'published',
    publishedAt: new Date(),
    code: String(codeSeq++),
    ...over,
  });
  // On the public list as approval puts it (a posting made in another state is not).
  if (doc.status === 'published') await listingChanged(doc.centerPath, String(doc._id), 'published');
  return String(doc._id);
}

/** A second employer with a verified profile at a center. */
export async function verifiedEmployer(centerId: string, name = '乙公司') {
  const u = await makeUser({ role: 'employer', center: centerId, name });
  const center = (await getCenter(centerId))!;
  await Employer.create({
    user: u.id,
    name,
    contactName: '联系人',
    phone: u.phone,
    address: '地址',
    creditCode: withCheckChar('91331082MA2AN7KL3'),
    center: centerId,
    centerPath: [...center.ancestors, center.id],
    status: 'verified',
  });
  return u;
}

/** A refused posting form comes back on its own GET page (the token stays out of the address bar). */
export async function refusedForm(ag: Agent, res: { status: number; headers: Record<string, string> }) {
  assert.equal(res.status, 303, 'a refused posting form redirects to its page');
  const page = res.headers.location!;
  assert.doesNotMatch(page, /_csrf/);
  return ag.get(page);
}
