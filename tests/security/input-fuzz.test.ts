import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import mongoose from 'mongoose';
import { app, csrfFrom, loggedIn, type Agent } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { listRoutes, concrete } from '../helpers/routes.ts';

/** Every form field name used by any template, so generated bodies hit real schema fields. */
function formFieldNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith('.hbs')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/name="([\w-]+)"/g)) names.add(m[1]!);
    }
  };
  walk(path.resolve('views'));
  names.delete('_csrf');
  return [...names].sort();
}

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ minLength: 5000, maxLength: 12000 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    '99999999999999999999',
    '😀👍🏮',
    '\u0000\u0007\u001b',
    '<script>alert(1)</script>',
    '{"$gt":""}',
    '$where',
    '../../etc/passwd',
    '=cmd|/C calc',
    '13800000000',
  ),
  fc.integer().map(String),
);

function encode(fields: [string, string[]][], extra: string): string {
  const parts: string[] = [];
  for (const [k, values] of fields) for (const v of values) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return [...parts, extra].filter(Boolean).join('&');
}

function hasOperatorKey(v: unknown, depth = 0): boolean {
  if (!v || typeof v !== 'object' || depth > 20) return false;
  if (Array.isArray(v)) return v.some((x) => hasOperatorKey(x, depth + 1));
  if (v instanceof Date || v instanceof mongoose.Types.ObjectId || Buffer.isBuffer(v) || (v as { _bsontype?: string })._bsontype) return false;
  return Object.entries(v).some(([k, x]) => k.startsWith('$') || hasOperatorKey(x, depth + 1));
}

async function countDocuments(): Promise<number> {
  const db = mongoose.connection.db!;
  let n = 0;
  for (const { name } of await db.listCollections().toArray())
    if (!name.startsWith('system.') && name !== 'sessions') n += await db.collection(name).countDocuments();
  return n;
}

describe('security: generated input on every form', function () {
  this.timeout(600_000);
  let ctx: Awaited<ReturnType<typeof freshDemo>>;
  let failures: string[] = [];
  let documentsBefore = 0;
  before(async () => {
    ctx = await freshDemo();
    documentsBefore = await countDocuments();
    failures = await fuzzEveryPost();
  });

  /** Posts generated bodies to every POST route as every role; returns the 5xx answers. */
  async function fuzzEveryPost(): Promise<string[]> {
    const names = formFieldNames();
    assert.ok(names.length > 10, 'found form fields in templates');
    const agents: Record<string, Agent> = {
      resident: await loggedIn('13800000003'),
      employer: await loggedIn('13800000002'),
      staff: await loggedIn('13800000001'),
      admin: await loggedIn('13800000000'),
    };
    const tokens: Record<string, string> = {};
    for (const [who, ag] of Object.entries(agents)) tokens[who] = csrfFrom((await ag.get('/profile')).text);
    // Real ids too, so requests get past "not found" into validation.
    const ids = [ctx.centers.miaoxi!, ctx.users.resident!, '5f0000000000000000000001'];
    const posts = listRoutes(app()).filter((r) => r.method === 'POST' && r.path !== '/logout');
    const failures: string[] = [];
    for (const route of posts) {
      await fc
        .assert(
          fc.asyncProperty(
            fc.constantFrom(...Object.keys(agents)),
            fc.constantFrom(...ids),
            fc.array(fc.tuple(fc.constantFrom(...names), fc.array(nasty, { minLength: 1, maxLength: 2 })), { maxLength: 12 }),
            fc.constantFrom('', 'name[$gt]=', 'phone[$ne]=x', 'title[$regex]=.*', '__proto__[admin]=1', 'constructor[prototype][x]=1'),
            async (who, id, fields, extra) => {
              const url = concrete(route.path, id);
              const body = encode([...fields, ['_csrf', [tokens[who]!]]], extra);
              const res = await agents[who]!.post(url).type('form').send(body);
              if (res.status >= 500) failures.push(`POST ${url} as ${who} → ${res.status}: ${body.slice(0, 200)}`);
              return res.status < 500;
            },
          ),
          { numRuns: 12, seed: 20261126 },
        )
        .catch((err: unknown) => failures.push(`POST ${route.path}: ${String(err).slice(0, 300)}`));
    }
    return failures;
  }

  it('answers every POST route with a clean status (never 5xx) for hostile values', () => {
    assert.deepEqual(failures.slice(0, 10), []);
  });

  it('stores no operator-shaped values anywhere after the generated posts', async () => {
    // The generated posts must have written something, or this scan proves nothing.
    assert.ok((await countDocuments()) > documentsBefore, 'the generated posts stored documents');
    const db = mongoose.connection.db!;
    for (const { name } of await db.listCollections().toArray()) {
      if (name.startsWith('system.') || name === 'sessions') continue;
      const docs = await db.collection(name).find({}).limit(5000).toArray();
      for (const d of docs) assert.equal(hasOperatorKey(d), false, `${name} ${String(d._id)} holds an operator key`);
    }
  });
});
