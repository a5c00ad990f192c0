// `node server/workshops/rebuild-cli.ts [workshopId]`: recomputes the workshop summaries
// (worker day/month, workshop day/month, order progress, an entry's corrections) from the ledger
// and the board rosters from memberships and orders. Run it after a crash between an entry's
// insert and its summary update, with no entries being logged.
import { loadConfig } from '../config.ts';
import { startDatabase, describeEngine } from '../db/start.ts';
import { connectDatabase, disconnectDatabase } from '../db/connection.ts';
import { rebuildSummaries } from './summaries.ts';
import '../app.ts';

const say = (m: string) => process.stdout.write(`[doorstep] ${m}\n`);
const config = loadConfig();
const engine = await startDatabase(config, say);
say(describeEngine(engine));
try {
  await connectDatabase(engine.uri);
  const n = await rebuildSummaries(process.argv[2]);
  say(`rebuilt ${n} workshop summaries from the ledger, and the workshops' board rosters`);
} catch (err) {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
} finally {
  await disconnectDatabase();
  await engine.stop();
}
