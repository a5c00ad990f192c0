import mongoose, { Schema } from 'mongoose';

// Totals over the ledger under deterministic ids, read by _id and changed with $inc through
// a per-key queue (summaryQueue, server/store/queues.ts), rebuildable from the ledger:
//   wd:<worker>:<workshop>:<yyyy-mm-dd>   a worker's day
//   wm:<worker>:<workshop>:<yyyy-mm>      a worker's pay period (month)
//   sd:<workshop>:<yyyy-mm-dd>            a workshop's day (live board)
//   sm:<workshop>:<yyyy-mm>               a workshop's month (reports)
//   o:<order>                             an order's progress (key = order id)
//   c:<entry>                             an entry's corrections so far (key = the corrected entry's id)
// `tasks.<taskId>` = { accepted, amountFen }; on workshop summaries `workers.<userId>` =
// { accepted, amountFen, name } (name = given name only, for the public board).
/**
 * The summaries a ledger entry adds to, by name (four, its order's, and a correction its original's). The stored codes are short because they
 * also begin every summary's _id (one per worker and day for years of data).
 */
export const SummaryKind = { workerDay: 'wd', workerMonth: 'wm', shopDay: 'sd', shopMonth: 'sm', order: 'o', corrections: 'c' } as const;
export type SummaryKind = (typeof SummaryKind)[keyof typeof SummaryKind];

const workSummarySchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: Object.values(SummaryKind), required: true },
    workshop: { type: String, required: true },
    worker: { type: String, default: '' },
    key: { type: String, required: true },
    counted: { type: Number, default: 0 },
    rejected: { type: Number, default: 0 },
    accepted: { type: Number, default: 0 },
    amountFen: { type: Number, default: 0 },
    entries: { type: Number, default: 0 },
    tasks: { type: Schema.Types.Mixed, default: {} },
    workers: { type: Schema.Types.Mixed, default: {} },
    days: { type: Schema.Types.Mixed, default: undefined },
    /** The ledger entry added last: after a crash, the entry in flight was added to exactly the summaries naming it. */
    last: { type: String, default: undefined },
  },
  { versionKey: false, minimize: false },
);

workSummarySchema.index({ workshop: 1, kind: 1 });

export const WorkSummary = mongoose.model('WorkSummary', workSummarySchema);
