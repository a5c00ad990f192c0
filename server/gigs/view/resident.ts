import type { Request, Response } from 'express';
import { formOf, type FormState } from '../../http/validate.ts';
import { dayKey } from '../../lib/format.ts';
import { myApplication, type myApplications } from '../service/applications.ts';
import { hiredDetails } from '../hired.ts';
import { dayLabel } from '../view.ts';
import { payQuestion } from '../../arrears/answers.ts';
import { payQuestionView } from '../../arrears/view.ts';

/** My applications: each with its status, and for a hired one what is needed to turn up. */
export async function applicationItems(req: Request, apps: Awaited<ReturnType<typeof myApplications>>) {
  return Promise.all(
    apps.map(async (a) => {
      // After the last day of a job they were hired for: "were you paid?" (the arrears guard),
      // in place of the directions for turning up, which no longer apply.
      const pay = payQuestionView(req, await payQuestion(req.user!.id, a), `/me/applications/${String(a._id)}/pay`);
      return {
        id: String(a._id),
        posting: String(a.posting),
        title: a.postingTitle,
        status: a.status,
        label: req.t(`gigs.appStatus.${a.status}`),
        // Once hired, the employer counts on the person: no one-tap withdraw (see the confirm page).
        canWithdraw: a.status === 'pending',
        hired: a.status === 'accepted' && !pay ? await hiredDetails(req, String(a.posting)) : null,
        pay,
        at: a.createdAt ? dayLabel(dayKey(a.createdAt), req.lang) : '',
      };
    }),
  );
}

export async function renderWithdraw(req: Request, res: Response, id: string, form: FormState = formOf(), status = 200) {
  const a = await myApplication(req.user!, id);
  res.status(status).render('gigs/withdraw', {
    title: req.t('gigs.mine.withdrawTitle'),
    app: { id, title: a.postingTitle, posting: String(a.posting), hired: a.status === 'accepted' ? await hiredDetails(req, String(a.posting)) : null },
    form,
  });
}
