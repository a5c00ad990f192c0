import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { csrfFrom, type Agent } from './app.ts';
import type { CommandStartedEvent, Document } from 'mongodb';

// Records the database commands issued between two points (the driver's command monitoring;
// tests/setup.ts connects with monitorCommands) and picks out the scans: on FerretDB any
// filter but an `_id` equality reads the whole collection, so a write path whose cost must not
// grow with the years may only address documents of growing collections by `_id`.

/** Collections that grow with the years (and users): never scanned on a write path. */
export const GROWING = new Set([
  'applications',
  'attendances',
  'auditentries',
  'batches',
  'completions',
  'counters',
  'coursereminders',
  'disputes',
  'enrolments',
  'ledgerentries',
  'ledgerkeys',
  'loginfailures',
  'memberships',
  'notifications',
  'orders',
  'payperiods',
  'postings',
  'postingslots',
  'seats',
  'sessions',
  'users',
  'workreports',
  'worksummaries',
]);

export interface RecordedCommand {
  name: string;
  collection: string;
  /** The filter(s) the command selects documents with (one per statement of an update/delete). */
  filters: Document[];
}

const FILTERED: Record<string, (c: Document) => Document[]> = {
  find: (c) => [c.filter ?? {}],
  count: (c) => [c.query ?? {}],
  distinct: (c) => [c.query ?? {}],
  findAndModify: (c) => [c.query ?? {}],
  update: (c) => (c.updates as Document[]).map((u) => u.q ?? {}),
  delete: (c) => (c.deletes as Document[]).map((d) => d.q ?? {}),
  // countDocuments and friends: only a leading $match selects; anything else reads everything.
  aggregate: (c) => [(c.pipeline as Document[])[0]?.$match ?? {}],
};

/**
 * True when the filter has a top-level `_id` equal to a string or ObjectId, or an `_id` range
 * between ObjectIds ($gt, $gte, $lt, $lte): what our FerretDB build hands to SQLite
 * (server/db/ferretdb-build.ts, patchFerretDB; stock 1.24 only when `_id` equality is the
 * filter's only key). `{_id, status}` reads one document and `{_id: {$gte: id}}` the documents
 * made since; `{_id: {$eq: x}}` or `{_id: {$in: …}}` read the whole collection.
 */
export function byId(filter: Document): boolean {
  const id: unknown = filter._id;
  if (typeof id === 'string' || id instanceof mongoose.Types.ObjectId) return true;
  if (!id || typeof id !== 'object') return false;
  const ops = Object.entries(id);
  return ops.length > 0 && ops.every(([op, v]) => ['$gt', '$gte', '$lt', '$lte'].includes(op) && v instanceof mongoose.Types.ObjectId);
}

/** Filtered reads or writes of a growing collection that are not addressed by `_id`. */
export function scansIn(commands: RecordedCommand[]): RecordedCommand[] {
  return commands.filter((c) => GROWING.has(c.collection) && c.filters.some((f) => !byId(f)));
}

export function describeCommand(c: RecordedCommand): string {
  return `${c.name} ${c.collection} ${c.filters.map((f) => JSON.stringify(f)).join(' | ')}`;
}

/** Starts recording this database's commands; `stop()` ends it and returns what was issued. */
export function recordCommands(): { stop(): RecordedCommand[] } {
  const client = mongoose.connection.getClient();
  const db = mongoose.connection.name;
  const seen: RecordedCommand[] = [];
  const listener = (ev: CommandStartedEvent) => {
    if (ev.databaseName !== db) return;
    const filtersOf = FILTERED[ev.commandName];
    const collection = String(ev.command[ev.commandName]);
    seen.push({ name: ev.commandName, collection, filters: filtersOf ? filtersOf(ev.command) : [] });
  };
  client.on('commandStarted', listener);
  return {
    stop() {
      client.off('commandStarted', listener);
      return seen;
    },
  };
}

/** Runs `action` and returns the commands it issued and the scans among them. */
export async function commandsOf(action: () => Promise<unknown>): Promise<{ commands: RecordedCommand[]; scans: string[] }> {
  const rec = recordCommands();
  let commands: RecordedCommand[];
  try {
    await action();
    // Work a request leaves behind (a notification push, a board refresh) finishes shortly after.
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    commands = rec.stop();
  }
  return { commands, scans: scansIn(commands).map(describeCommand) };
}

/**
 * Database commands sent and not yet answered, for the report on a failed test: a test that
 * times out says which command it was waiting for (and on which connection), not just "20 s".
 */
export function trackInFlight(): { report(olderThanMs: number): string[] } {
  const client = mongoose.connection.getClient();
  const open = new Map<number, { at: number; text: string }>();
  client.on('commandStarted', (ev: CommandStartedEvent) => {
    const filtersOf = FILTERED[ev.commandName];
    const filters = filtersOf ? filtersOf(ev.command).map((f) => JSON.stringify(f).slice(0, 200)) : [];
    open.set(ev.requestId, {
      at: Date.now(),
      text: `${ev.commandName} ${String(ev.command[ev.commandName])} ${filters.join(' | ')} on ${ev.address} (${ev.connectionId})`,
    });
  });
  const done = (ev: { requestId: number }) => void open.delete(ev.requestId);
  client.on('commandSucceeded', done);
  client.on('commandFailed', done);
  return {
    report: (olderThanMs) =>
      [...open.values()].filter((c) => Date.now() - c.at >= olderThanMs).map((c) => `waiting ${Math.round((Date.now() - c.at) / 1000)} s: ${c.text}`),
  };
}

/** GETs the page (token, cookies), then records only the POST of its form to `action`. */
export async function recordPost(ag: Agent, page: string, action: string, fields: Record<string, string> = {}) {
  const form = await ag.get(page);
  assert.ok(form.status < 400, `GET ${page} → ${form.status}`);
  let status = 0;
  const recorded = await commandsOf(async () => {
    status = (
      await ag
        .post(action)
        .type('form')
        .send({ ...fields, _csrf: csrfFrom(form.text) })
    ).status;
  });
  assert.ok(status > 0 && status < 400, `POST ${action} → ${status}`);
  return recorded;
}

/** Fails, naming each one, when a write path issued scans. */
export const noScans = (scans: string[]) => assert.deepEqual(scans, [], `scans on a write path:\n${scans.join('\n')}`);
