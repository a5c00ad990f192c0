import { PayPeriod } from '../../models/pay-period.ts';
import { WorkSummary } from '../../models/work-summary.ts';
// Loaded for ownedBy(), which finds models by name.
import '../../models/ledger-entry.ts';
import '../../models/batch.ts';
import '../../models/work-report.ts';
import '../../models/dispute.ts';
import '../../models/membership.ts';
import '../../models/workshop.ts';
import { payPeriodQueue, summaryQueue } from '../store/index.ts';
import { ownedBy, plain, staffOnly, type PersonalData } from '../privacy/declare.ts';

// The workshops' personal data. The piece-work ledger and pay periods are accounting records that
// must stay (the amounts paid to each person): they keep every number and lose the name (replaced
// by the alias), the phone and the free text the person wrote.

const payPeriods: PersonalData = {
  model: 'PayPeriod',
  section: 'payPeriods',
  userPaths: ['statements.worker', 'closedBy'],
  kept: 'accounting',
  async export(userId) {
    const periods = await PayPeriod.find({ 'statements.worker': userId }).lean();
    return periods.flatMap((p) =>
      p.statements
        .filter((s) => String(s.worker) === String(userId))
        .map((s) => ({ workshop: String(p.workshop), month: p.month, accepted: s.accepted, amountFen: s.amountFen, paidAt: s.paidAt, method: s.method })),
    );
  },
  async erase(ctx) {
    for (const p of await PayPeriod.find({ 'statements.worker': ctx.userId }, { _id: 1 }).lean()) {
      // Through the period's queue, so a payment being marked at the same moment is not lost.
      await payPeriodQueue.run(p._id, async () => {
        const doc = await PayPeriod.findById(p._id);
        if (!doc) return;
        for (const s of doc.statements) if (String(s.worker) === ctx.id) Object.assign(s, { name: ctx.alias, phone: '' });
        await doc.save();
      });
    }
  },
};

// Summaries hold names only in a workshop's day and month (`workers.<id>.name`, for the board).
const summaries: PersonalData = {
  model: 'WorkSummary',
  section: 'monthTotals',
  userPaths: [],
  kept: 'accounting',
  async export(userId) {
    const docs = await WorkSummary.find({ worker: String(userId), kind: 'wm' }, { workshop: 1, key: 1, accepted: 1, amountFen: 1, entries: 1 }).lean();
    return docs.map(
      (d) => plain({ workshop: d.workshop, month: d.key, accepted: d.accepted, amountFen: d.amountFen, entries: d.entries }) as Record<string, unknown>,
    );
  },
  async erase(ctx) {
    const path = `workers.${ctx.id}`;
    for (const d of await WorkSummary.find({ kind: { $in: ['sd', 'sm'] }, [path]: { $exists: true } }, { _id: 1 }).lean()) {
      // The same queue as the $inc of new entries: FerretDB's read-then-write must not race it.
      await summaryQueue.run(d._id, () => WorkSummary.updateOne({ _id: d._id }, { $set: { [`${path}.name`]: ctx.alias } }));
    }
  },
};

export const workshopsData: readonly PersonalData[] = [
  ownedBy('LedgerEntry', {
    subject: 'worker',
    userPaths: ['worker', 'createdBy'],
    section: 'ledger',
    fields: ['date', 'taskName', 'unit', 'kind', 'counted', 'rejected', 'accepted', 'rateFen', 'amountFen', 'reason', 'note', 'createdAt'],
    erase: (ctx) => ({ workerName: ctx.alias, note: '' }),
    kept: 'accounting',
  }),
  payPeriods,
  summaries,
  ownedBy('Batch', {
    subject: 'worker',
    section: 'batches',
    fields: ['taskName', 'unit', 'quantity', 'status', 'issuedAt', 'returnedAt'],
    erase: (ctx) => ({ workerName: ctx.alias }),
    kept: 'accounting',
  }),
  ownedBy('WorkReport', {
    subject: 'worker',
    section: 'workReports',
    fields: ['date', 'taskName', 'unit', 'counted', 'note', 'status', 'reply', 'createdAt'],
    erase: (ctx) => ({ workerName: ctx.alias, note: '' }),
    kept: 'accounting',
  }),
  ownedBy('Dispute', {
    subject: 'worker',
    section: 'disputes',
    fields: ['date', 'status', 'comment', 'reply', 'createdAt', 'resolvedAt'],
    erase: (ctx) => ({ workerName: ctx.alias, comment: '' }),
    kept: 'accounting',
  }),
  ownedBy('Membership', {
    subject: 'resident',
    userPaths: ['resident', 'admittedBy'],
    section: 'memberships',
    fields: ['workshop', 'joinedAt', 'override'],
    erase: (ctx) => ({ residentName: ctx.alias, residentPhone: '', overrideReason: '' }),
    kept: 'accounting',
  }),
  staffOnly('Workshop', ['lead']),
];
