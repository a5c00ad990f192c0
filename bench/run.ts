// `npm run bench`: load figures for the pages people use most, as ratios to a reference page
// (TechEmpower Fortunes on bare Express + Mongoose + Handlebars) measured in the same run.
// Volumes: demo (the seed), town-year (a busy town's year) and decade (ten such years), each
// figure also as decade ÷ demo (bench/report.ts).
// Env: BENCH_DURATION (s, default 5), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 64), BENCH_VOLUMES, BENCH_SCALE, BENCH_NODE_FLAGS,
// MONGODB_URI to bench against a real MongoDB instead of the embedded engine.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { type Types } from 'mongoose';
import { startEngine, defaultCacheDir } from '../server/db/engine.ts';
import { connectDatabase, ensureIndexes } from '../server/db/connection.ts';
import { invalidateCenters } from '../server/centers/tree.ts';
import '../server/app.ts';
import { Posting } from '../models/posting.ts';
import { Course } from '../models/course.ts';
import { Workshop } from '../models/workshop.ts';
import { Task } from '../models/task.ts';
import { User } from '../models/user.ts';
import { Membership } from '../models/membership.ts';
import { generateDemo, generateYears, VOLUME_YEARS } from './generate.ts';
import { report, type Row } from './report.ts';
import { seedFortunes } from './reference.ts';
import { crashAndRestart, type RecoveryRow } from './recovery.ts';
import { startChild, startFlags, peakRssMb, watchRss, load, median, addFailures, type Child, type LoadSpec, type LoadResult } from './lib.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
// BENCH_VOLUMES=demo skips generating the town's years (a quick check of the benchmark itself);
// BENCH_SCALE (e.g. 0.01) shrinks every generated volume, to check the generator and the printout.
type Volume = 'demo' | keyof typeof VOLUME_YEARS;
const VOLUMES = (process.env.BENCH_VOLUMES ?? 'demo,town-year,decade').split(',').filter((v): v is Volume => v === 'demo' || v in VOLUME_YEARS);
const SECRET = crypto.randomBytes(32).toString('hex');
const say = (m: string) => process.stdout.write(`[bench] ${m}\n`);

/** A logged-in session written straight into the store (logging in 200 residents through argon2 would dominate). */
async function sessionCookie(userId: string): Promise<string> {
  const sid = crypto.randomBytes(24).toString('base64url');
  const expires = new Date(Date.now() + 86400_000);
  await mongoose.connection.db!.collection('sessions').insertOne({
    _id: sid as unknown as Types.ObjectId,
    expires,
    lastModified: new Date(),
    session: { cookie: { originalMaxAge: 86400_000, expires, httpOnly: true, path: '/', sameSite: 'lax', secure: false }, passport: { user: userId } },
  });
  const sig = crypto.createHmac('sha256', SECRET).update(sid).digest('base64').replace(/=+$/, '');
  return `doorstep.sid=${encodeURIComponent(`s:${sid}.${sig}`)}`;
}

/** A CSRF token and its cookie for a logged-in cookie, from any page with a form. */
async function csrfFor(app: string, cookie: string, page: string): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${app}${page}`, { headers: { cookie } });
  const html = await res.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token on ${page} (${res.status})`);
  const set = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  return { cookie: [cookie, ...set].join('; '), token };
}

/**
 * Waits (at most two minutes) until the database answers the reference page quickly again, five
 * probes in a row: requests a POST run left queued in the app keep writing for a while after
 * the load stops, and the app's own health route does not touch the database.
 */
async function quiet(refUrl: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let fast = 0;
  while (fast < 5 && Date.now() < deadline) {
    const t = Date.now();
    await fetch(refUrl)
      .then((r) => r.text())
      .catch(() => '');
    fast = Date.now() - t < 50 ? fast + 1 : 0;
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Target {
  name: string;
  spec: LoadSpec;
}

/**
 * One request to each target before any load: a target that refuses it (a fixture the app
 * rejects, an expired form) would otherwise be measured as a fast error page. This is also each
 * page's first visit since the app started, so it may wait for its caches to fill (the staff
 * reports read their window of records): it gets two minutes, and its time is printed.
 */
async function preflight(volume: string, targets: Target[]): Promise<void> {
  for (const t of targets) {
    const r = await load(t.spec, { connections: 1, amount: 1, timeoutS: 120 });
    if (r.errors) throw new Error(`${t.name}: a single request failed (${JSON.stringify(r.failures)}); the benchmark would measure an error page`);
    // The request's own latency (autocannon's run lasts at least a second whatever it measured):
    // for the reports, what the first staff member after a start waits while their caches fill.
    say(`${volume}: first visit of ${t.name} took ${r.p50} ms`);
  }
}

async function measure(volume: string, ref: LoadSpec, targets: Target[], appPid: number | undefined): Promise<Row[]> {
  await preflight(volume, [{ name: 'reference', spec: ref }, ...targets]);
  // A warm-up run of each page first (not counted): the first seconds under load are V8
  // compiling its code paths and caches filling, which round 1 alone would otherwise pay.
  for (const t of [{ name: 'reference', spec: ref }, ...targets]) {
    await load(t.spec, { connections: CONNECTIONS, duration: Math.min(3, DURATION) });
    if (t.spec.method === 'POST') await quiet(ref.url);
  }
  const runs = new Map<string, LoadResult[]>();
  const ratios = new Map<string, number[]>();
  const rss = new Map<string, number>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      // Interleave A (reference) and B (target) so drift on the machine hits both alike.
      const a = await load(ref, { connections: CONNECTIONS, duration: DURATION });
      const stopWatch = watchRss(appPid);
      const b = await load(t.spec, { connections: CONNECTIONS, duration: DURATION });
      rss.set(t.name, Math.max(rss.get(t.name) ?? 0, stopWatch() ?? 0));
      // Let work a run left queued (writes behind locks) drain before the next measurement.
      if (t.spec.method === 'POST') await quiet(ref.url);
      if (!runs.has(t.name)) runs.set(t.name, []);
      runs.get(t.name)!.push(b);
      if (!runs.has('reference')) runs.set('reference', []);
      runs.get('reference')!.push(a);
      if (!ratios.has(t.name)) ratios.set(t.name, []);
      ratios.get(t.name)!.push(a.rps ? b.rps / a.rps : 0);
      say(`${volume} round ${round}: ${t.name} ${b.rps} req/s vs reference ${a.rps} (errors ${b.errors ? JSON.stringify(b.failures) : 0})`);
    }
  }
  const row = (name: string, rs: LoadResult[], ratio: number | null, appMb: number | null = null): Row => ({
    volume,
    target: name,
    rps: Math.round(median(rs.map((r) => r.rps))),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    errors: rs.reduce((s, r) => s + r.errors, 0),
    failures: addFailures(rs.map((r) => r.failures)),
    ratio,
    appMb,
  });
  return [
    row('reference', runs.get('reference')!, 1),
    ...targets.map((t) => row(t.name, runs.get(t.name)!, Number(median(ratios.get(t.name)!).toFixed(2)), rss.get(t.name) ?? null)),
  ];
}

async function main(): Promise<void> {
  const engine = await startEngine({
    mongodbUri: process.env.MONGODB_URI,
    dataDir: 'unused',
    ephemeral: true,
    cacheDir: defaultCacheDir(),
    dbName: 'doorstep_bench',
    log: say,
  });
  say(`database: ${engine.kind} ${engine.uri}`);
  const children: Child[] = [];
  const results: Row[] = [];
  const memory: Record<string, { appMb: number | null; dbMb: number | null }> = {};
  const recovery: RecoveryRow[] = [];
  try {
    await connectDatabase(engine.uri);
    await mongoose.connection.dropDatabase();
    await ensureIndexes();
    invalidateCenters();
    const appData = fs.mkdtempSync(path.join(os.tmpdir(), 'doorstep-bench-app-'));
    const env = {
      DATA_DIR: appData,
      MONGODB_URI: engine.uri,
      SESSION_SECRET: SECRET,
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'warn',
      SEED_ON_EMPTY: '0',
      LOGIN_RATE_LIMIT: '100000',
      REGISTER_RATE_LIMIT: '100000',
      UPLOAD_RATE_LIMIT: '100000',
    };

    // Calibration: what the machine and Node do without any database.
    for (const kind of ['http', 'express']) {
      const c = await startChild('bench/hello.ts', [kind], {}, /listening/);
      const r = await load({ url: `${c.url}/` }, { connections: CONNECTIONS, duration: DURATION });
      say(`calibration hello-${kind}: ${r.rps} req/s`);
      results.push({ volume: 'calibration', target: `hello-${kind}`, rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, failures: r.failures, ratio: null });
      await c.stop();
    }

    const ctx = await generateDemo();
    await seedFortunes();
    const reference = await startChild('bench/reference.ts', [], { MONGODB_URI: engine.uri }, /listening/);
    children.push(reference);
    const ref: LoadSpec = { url: `${reference.url}/fortunes` };

    // The decade is the town-year plus nine earlier years: each volume adds the years it lacks.
    let years = 0;
    let focus: { worker: string; workshop: string } | undefined;
    for (const volume of VOLUMES) {
      if (volume !== 'demo' && VOLUME_YEARS[volume] > years) {
        const started = Date.now();
        const f = await generateYears(ctx, years, VOLUME_YEARS[volume], say);
        focus ??= f;
        years = VOLUME_YEARS[volume];
        say(`${volume} generated in ${Math.round((Date.now() - started) / 1000)} s`);
      }
      const starting = Date.now();
      const app = await startChild('server/main.ts', [], env, /site: http/, startFlags());
      say(`${volume}: app serving ${((Date.now() - starting) / 1000).toFixed(1)} s after its start`);
      children.push(app);
      // Warm up: first runs of the scheduled jobs and cache fills are not what a visitor meets.
      await new Promise((r) => setTimeout(r, 65_000));
      const miaoxi = ctx.centers.miaoxi!;
      const workshopId = focus?.workshop ?? String((await Workshop.findOne({ center: miaoxi }, { _id: 1 }).lean())!._id);
      const member = focus?.worker ?? String((await Membership.findOne({ workshop: workshopId }, { resident: 1 }).lean())!.resident);
      const task = await Task.findOne({ workshop: workshopId }, { _id: 1 }).lean();
      const { courses, residents } = await enrolFixture(volume, miaoxi);

      const staffCookie = await sessionCookie(ctx.users.admin!);
      const staffForm = await csrfFor(app.url, staffCookie, `/staff/workshops/${workshopId}/log`);
      const workerCookie = await sessionCookie(member);
      const enrolForms = await Promise.all(residents.map(async (r) => csrfFor(app.url, await sessionCookie(String(r._id)), '/profile')));
      let n = 0;
      let k = 0;
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      const posting = await Posting.findOne({ status: 'published' }, { title: 1 }).lean();

      const targets: Target[] = [
        { name: 'gigs list', spec: { url: `${app.url}/gigs` } },
        { name: 'gigs search', spec: { url: `${app.url}/gigs?q=${encodeURIComponent(posting?.title.slice(0, 2) ?? '彩灯')}&sort=pay&within=60` } },
        { name: 'courses', spec: { url: `${app.url}/courses` } },
        { name: 'lobby board', spec: { url: `${app.url}/centers/${miaoxi}/board` } },
        { name: 'workshop live board', spec: { url: `${app.url}/workshops/${workshopId}/live` } },
        { name: 'worker earnings', spec: { url: `${app.url}/me/work`, headers: { cookie: workerCookie } } },
        { name: 'staff report', spec: { url: `${app.url}/staff/reports`, headers: { cookie: staffCookie } } },
        { name: 'staff job report', spec: { url: `${app.url}/staff/reports/jobs`, headers: { cookie: staffCookie } } },
        { name: 'staff course report', spec: { url: `${app.url}/staff/reports/courses`, headers: { cookie: staffCookie } } },
        {
          name: 'log piece-work (POST)',
          spec: {
            url: `${app.url}/staff/workshops/${workshopId}/entries`,
            method: 'POST',
            headers: { cookie: staffForm.cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: () =>
              new URLSearchParams({
                _csrf: staffForm.token,
                workerId: member,
                taskId: String(task!._id),
                counted: '3',
                rejected: '0',
                date: today,
                note: '',
                orderId: '',
                // Unique across volumes too: a key used at demo would be answered as a repeat (a lookup, not a write).
                idempotencyKey: `bench-${process.pid}-${volume}-${n++}`,
              }).toString(),
          },
        },
        {
          name: 'enrol (POST)',
          spec: {
            url: `${app.url}/courses`,
            method: 'POST',
            // Each request is the next course (round the 20) and, after each round, the next resident, so each writes an enrolment.
            setup: (req) => {
              const i = k++;
              const form = enrolForms[Math.floor(i / courses.length) % enrolForms.length]!;
              const course = courses[i % courses.length]!;
              return {
                ...req,
                method: 'POST',
                path: `/courses/${String(course._id)}/enrol`,
                headers: { ...req.headers, cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
                body: new URLSearchParams({ _csrf: form.token }).toString(),
              };
            },
          },
        },
      ];

      // Before the POST targets, whose queued writes would slow whichever app is measured next.
      if (volume === 'demo') results.push(await npmStartAgainstProduction(env, app.url));
      results.push(...(await measure(volume, ref, targets, app.proc.pid)));
      memory[volume] = { appMb: peakRssMb(app.proc.pid), dbMb: peakRssMb(engine.pid) };
      await quiet(ref.url);
      const row = await crashAndRestart(
        volume,
        env,
        app,
        targets.filter((t) => t.spec.method === 'POST').map((t) => t.spec),
      );
      say(
        `${volume}: serving again ${row.afterKillS} s after kill -9 (in flight ${JSON.stringify(row.inFlight)}); clean start ${row.cleanS} s; full rebuild ${row.fullRepairS} s`,
      );
      recovery.push(row);
      children.splice(children.indexOf(app), 1);
    }
  } finally {
    for (const c of children) await c.stop();
    await mongoose.disconnect();
    await engine.stop();
  }
  report(results, memory, { engine: engine.kind, connections: CONNECTIONS, duration: DURATION, rounds: ROUNDS }, recovery);
}

/**
 * What the enrol target writes, made afresh at each volume and the same at every one: 20 courses
 * of 30 seats at one center, open to all, starting in two weeks, and 200 residents of that center
 * (the demo has fewer than 200). The enrolments measured are then alike, and only the years of
 * data around them differ (town-year adds its year's published courses to the list; older
 * generated years' courses are completed).
 */
async function enrolFixture(volume: string, center: string) {
  const first = Date.now() + 14 * 86400_000;
  const sessions = Array.from({ length: 6 }, (_, k) => ({
    startsAt: new Date(first + k * 7 * 86400_000),
    endsAt: new Date(first + k * 7 * 86400_000 + 2 * 3600_000),
    topic: `第${k + 1}课`,
  }));
  // The volume before left its 20 published (the volumes build on one database): closed, as
  // staff close a finished course, so that the course list is alike at every volume too.
  await Course.updateMany({ title: /^基准培训班 /, status: 'published' }, { $set: { status: 'completed' } });
  const courses = await Course.insertMany(
    Array.from({ length: 20 }, (_, i) => ({
      center,
      title: `基准培训班 ${volume} ${i + 1}`,
      category: 'baking',
      capacity: 30,
      completionPercent: 80,
      sessions,
      firstSessionAt: sessions[0]!.startsAt,
      lastSessionAt: sessions.at(-1)!.endsAt,
      status: 'published',
    })),
  );
  const v = ['demo', 'town-year', 'decade'].indexOf(volume);
  const residents = await User.insertMany(
    Array.from({ length: 200 }, (_, i) => ({
      phone: `152${String(v * 1000 + i).padStart(8, '0')}`,
      name: `学员${v}${i}`,
      role: 'resident',
      homeCenter: center,
      birthYear: 1980,
    })),
  );
  return { courses: courses.map((d) => ({ _id: d._id })), residents: residents.map((d) => ({ _id: d._id })) };
}

/**
 * `/gigs` served the way `npm start` serves it (NODE_ENV unset, so development cookies and demo
 * data) against the production app, interleaved; `ratio` is npm start ÷ production.
 */
async function npmStartAgainstProduction(env: Record<string, string>, productionUrl: string): Promise<Row> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doorstep-bench-start-'));
  const plain = await startChild(
    'server/main.ts',
    [],
    { ...env, NODE_ENV: 'development', SESSION_SECRET: '', PUBLIC_URL: '', DATA_DIR: dataDir },
    /site: http/,
    startFlags(),
  );
  try {
    const spec = (base: string): LoadSpec => ({ url: `${base}/gigs` });
    for (const base of [productionUrl, plain.url]) await load(spec(base), { connections: CONNECTIONS, duration: Math.min(3, DURATION) });
    const runs: LoadResult[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const prod = await load(spec(productionUrl), { connections: CONNECTIONS, duration: DURATION });
      const b = await load(spec(plain.url), { connections: CONNECTIONS, duration: DURATION });
      runs.push(b);
      ratios.push(prod.rps ? b.rps / prod.rps : 0);
      say(`demo round ${round}: gigs list under npm start ${b.rps} req/s vs production ${prod.rps}`);
    }
    return {
      volume: 'demo',
      target: 'gigs (npm start)',
      rps: Math.round(median(runs.map((r) => r.rps))),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      failures: addFailures(runs.map((r) => r.failures)),
      ratio: Number(median(ratios).toFixed(2)),
    };
  } finally {
    await plain.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
