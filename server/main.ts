import { pino } from 'pino';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { startWebServer } from './web-server.ts';
import { startDatabase, describeEngine } from './db/start.ts';
import { connectDatabase, disconnectDatabase } from './db/connection.ts';
import { NoEngineError, type Engine } from './db/engine.ts';
import { sessionSecret } from './lib/session-secret.ts';
import { seedDemo, databaseIsEmpty, DEMO_ACCOUNTS, DEMO_PASSWORD } from './seed/index.ts';
import { startSchedulers } from './scheduler.ts';
import { recoverIfUnclean, markCleanShutdown } from './recovery.ts';
import { backupSettings, backupJobs } from './backup/service.ts';
import { postingExpiryJob } from './gigs/service/lifecycle.ts';
import { alertClaimSweepJob, alertRepairJob, matchingSettled } from './alerts/matching.ts';
import { bucketRepair } from './alerts/buckets.ts';
import { payAskJob } from './arrears/answers.ts';
import { recordRepair } from './arrears/record.ts';
import { migrateSlots, slotRepair } from './gigs/service/slots.ts';
import { courseReminderJob } from './courses/reminders.ts';
import { enrolmentRepair } from './courses/service/repairs.ts';
import { ensureRolls } from './courses/service/roll.ts';
import { ensureListings } from './gigs/service/listings.ts';
import { offerLapseJob } from './courses/service/offers.ts';
import { summaryRepairJob } from './workshops/summaries.ts';
import { loginFailureSweepJob } from './accounts/login-lock.ts';
import { sessionSweepJob } from './http/session.ts';
import { outboxJob } from './outbox/sender.ts';
import { smsGateway } from './outbox/gateway.ts';
import { connectNodeLocks } from './store/index.ts';
import { deletionJob } from './privacy/deletion.ts';

const say = (m: string) => process.stdout.write(`[doorstep] ${m}\n`);

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = pino({ level: config.LOG_LEVEL });

  let engine: Engine;
  try {
    engine = await startDatabase(config, say);
  } catch (err) {
    if (err instanceof NoEngineError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  say(describeEngine(engine));

  let stopping = false;
  const shutdownParts: (() => Promise<unknown>)[] = [];
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received, shutting down…`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    for (const part of shutdownParts.reverse()) await part().catch((e: unknown) => logger.error(e));
    await engine.stop().catch((e: unknown) => logger.error(e));
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await connectDatabase(engine.uri);
  shutdownParts.push(disconnectDatabase);
  // Several nodes: the per-key queues hold Redis locks too (FerretDB's $inc is read-then-write).
  if (config.REDIS_URL) shutdownParts.push(await connectNodeLocks(config.REDIS_URL));

  const recovered = await recoverIfUnclean(config.DATA_DIR, logger, { severalNodes: !!config.REDIS_URL });
  if (recovered === 'in-flight') say('the last run stopped abruptly: the records it was writing were checked and repaired');
  if (recovered === 'full') say('the last run stopped abruptly: every derived count was checked and repaired');
  shutdownParts.push(() => markCleanShutdown(config.DATA_DIR)); // runs before the database closes
  if (await ensureRolls()) say('built the course rolls (who holds a seat, who waits) for the courses already stored');
  if (await migrateSlots()) say('posting slots rewritten under keyed ids (once per database)');
  if (await ensureListings()) say('listed the open job postings for the public lists (once per database)');

  const seeded = config.SEED_ON_EMPTY && config.NODE_ENV !== 'production' && (await databaseIsEmpty());
  if (seeded) {
    say('empty database: loading demo data…');
    await seedDemo(config.NODE_ENV);
  }

  const web = await startWebServer({ config, logger, sessionSecret: sessionSecret(config) });
  shutdownParts.push(matchingSettled); // runs after the web server has closed: lets started matching finish
  shutdownParts.push(web.close);
  // Every periodic job the app runs, in one list (each is idempotent: every node runs it).
  const jobs = [
    postingExpiryJob,
    alertRepairJob,
    alertClaimSweepJob,
    bucketRepair.job,
    slotRepair.job,
    payAskJob,
    recordRepair.job,
    courseReminderJob,
    enrolmentRepair.job,
    offerLapseJob,
    summaryRepairJob,
    loginFailureSweepJob,
    sessionSweepJob,
    outboxJob(smsGateway(config)),
    deletionJob,
    ...backupJobs(backupSettings(config), logger),
  ];
  shutdownParts.push(startSchedulers(logger, jobs));

  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '127.0.0.1' ? 'localhost' : config.HOST;
  say(`site: http://${shownHost}:${web.port}`);
  if (config.NODE_ENV !== 'production') {
    say(`demo accounts (password ${DEMO_PASSWORD}):`);
    for (const a of DEMO_ACCOUNTS) say(`  ${a.phone}  ${a.role.padEnd(8)} ${a.name}`);
  }
  say('press Ctrl-C to stop (the database stops with it)');
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
