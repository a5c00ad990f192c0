import { Posting } from '../../models/posting.ts';
import { makeUser } from '../helpers/data.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import * as slots from '../../server/gigs/service/slots.ts';
import { publishedPosting, inDays } from '../gigs/helpers.ts';

/** A job at `center` whose worker was hired while it was open; `ended` moves its dates into the past. */
export async function hiredJob(
  employer: { id: string; name?: string },
  center: string,
  opts: { title?: string; ended?: boolean; worker?: { id: string; phone: string; name: string } } = {},
) {
  const postingId = await publishedPosting(employer.id, center, { title: opts.title ?? '欠薪测试零工', employerName: employer.name ?? '测试雇主' });
  const worker = opts.worker ?? (await makeUser({ role: 'resident', center }));
  const appId = await applications.apply({ id: worker.id }, postingId, { message: '', availability: '' });
  await slots.accept({ id: employer.id } as Express.User, appId);
  if (opts.ended !== false) await endJob(postingId);
  return { postingId, worker, appId };
}

/** The job's last day was yesterday (it has expired). */
export async function endJob(postingId: string): Promise<void> {
  await Posting.updateOne({ _id: postingId }, { $set: { startDay: inDays(-3), endDay: inDays(-1), status: 'expired' } });
}
