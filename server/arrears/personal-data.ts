import { ArrearsCase } from '../../models/arrears-case.ts';
// Loaded for ownedBy(), which finds models by name.
import '../../models/pay-answer.ts';
import { ownedBy, type PersonalData } from '../privacy/declare.ts';

// Whether a worker was paid is part of the employer's public record: the answer stays (it names
// nobody), and so does an arrears case, with the worker's name and phone replaced. A deleted
// employer's cases keep their history under the alias.
const answers = ownedBy('PayAnswer', {
  subject: 'worker',
  userPaths: ['worker', 'employer', 'by'],
  section: 'payAnswers',
  fields: ['posting', 'answer', 'onBehalf', 'answeredAt', 'changedAt'],
  erase: 'keep',
  kept: 'payAnswers',
});

const cases: PersonalData = {
  ...ownedBy('ArrearsCase', {
    subject: 'worker',
    userPaths: ['worker', 'employer', 'notes.by'],
    section: 'arrearsCases',
    fields: ['postingTitle', 'employerName', 'startDay', 'endDay', 'state', 'resolution', 'resolutionText', 'openedAt', 'resolvedAt'],
    erase: 'keep',
    kept: 'arrearsCases',
  }),
  async erase(ctx) {
    if (ctx.role === 'employer') await ArrearsCase.updateMany({ employer: ctx.userId }, { $set: { employerName: ctx.alias } });
    else await ArrearsCase.updateMany({ worker: ctx.userId }, { $set: { workerName: ctx.alias, workerPhone: '' } });
  },
};

export const arrearsData: readonly PersonalData[] = [answers, cases];
