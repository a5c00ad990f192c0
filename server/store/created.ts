import { Types } from 'mongoose';

/**
 * How long before its own time field a record's `_id` may have been made: the id is taken when
 * the document is built, its `createdAt` (or `at`, `issuedAt`) when it is saved, on the same
 * node's clock. An hour covers any save that still succeeds.
 */
const SLACK_MS = 3_600_000;

/**
 * A filter for the records made since `since`, by their `_id`: an ObjectId begins with the
 * second it was made, and a range of `_id` is read through the `_id` index (on FerretDB thanks to
 * our build's patch, server/db/ferretdb-build.ts), so its cost follows the records in the range,
 * not the years before it. The range starts an hour early (SLACK_MS), and records imported with
 * an older time field than their `_id` fall inside it too, so callers keep their own test on
 * the time field they count by.
 */
export function createdSince(since: Date): { _id: { $gte: Types.ObjectId } } {
  return { _id: { $gte: Types.ObjectId.createFromTime(Math.floor((since.getTime() - SLACK_MS) / 1000)) } };
}
