// `npm run repair`: rebuilds every derived record from its source documents (posting slots and
// counts, course seats and rolls, workshop summaries and board rosters, employers' pay records),
// reading whole collections. A crash needs none of this (the start-up repairs what was in
// flight, recovery.ts); run it after editing the database by hand, or once after upgrading to a
// version whose summaries carry more (e.g. worker-month per-day task totals). Stop the app first.
import { loadConfig } from './config.ts';
import { startDatabase, describeEngine } from './db/start.ts';
import { connectDatabase, disconnectDatabase } from './db/connection.ts';
import { repairEverything } from './recovery.ts';
import './app.ts';

const say = (m: string) => process.stdout.write(`[doorstep] ${m}\n`);
const config = loadConfig();
const engine = await startDatabase(config, say);
say(describeEngine(engine));
try {
  await connectDatabase(engine.uri);
  const started = Date.now();
  const done = await repairEverything();
  say(`rebuilt from the source documents in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(done)}`);
} catch (err) {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
} finally {
  await disconnectDatabase();
  await engine.stop();
}
