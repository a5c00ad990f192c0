// `npm run db`: only the database, for benchmarks and tools. Ctrl-C stops it.
import { loadConfig } from '../config.ts';
import { startDatabase, describeEngine } from './start.ts';

const say = (m: string) => process.stdout.write(`[doorstep] ${m}\n`);
const config = loadConfig();
const engine = await startDatabase(config, say);
say(describeEngine(engine));
say(`MONGODB_URI=${engine.uri}`);
const stop = async () => {
  await engine.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
setInterval(() => {}, 1 << 30);
