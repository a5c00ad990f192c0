// `npm run seed`: loads the demo data into the configured database.
import { loadConfig } from '../config.ts';
import { startDatabase, describeEngine } from '../db/start.ts';
import { connectDatabase, disconnectDatabase } from '../db/connection.ts';
import { seedDemo, SeedRefused } from './index.ts';
import '../app.ts';

const say = (m: string) => process.stdout.write(`[doorstep] ${m}\n`);
const config = loadConfig();
if (config.NODE_ENV === 'production') {
  process.stderr.write('Refusing to load demo data with NODE_ENV=production.\n');
  process.exit(1);
}
const engine = await startDatabase(config, say);
say(describeEngine(engine));
try {
  await connectDatabase(engine.uri);
  await seedDemo(config.NODE_ENV);
  say('demo data loaded');
} catch (err) {
  process.stderr.write(`${err instanceof SeedRefused ? err.message : (err as Error).stack}\n`);
  process.exitCode = 1;
} finally {
  await disconnectDatabase();
  await engine.stop();
}
