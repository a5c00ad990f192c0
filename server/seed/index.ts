import { User } from '../../models/user.ts';
import { seedCenters } from './centers.ts';
import { seedAccounts } from './accounts.ts';
import { seedGigs } from './gigs.ts';
import { seedCourses } from './courses.ts';
import { seedWorkshops } from './workshops.ts';

export { DEMO_ACCOUNTS, DEMO_PASSWORD } from './accounts.ts';

export interface SeedContext {
  centers: Record<string, string>;
  users: Record<string, string>;
}

// Capabilities append their demo data here, in dependency order.
const steps: ((ctx: SeedContext) => Promise<void>)[] = [seedCourses, seedWorkshops, seedGigs];

export class SeedRefused extends Error {}

/** Idempotent: existing centers and accounts are kept. Refuses to touch production. */
export async function seedDemo(nodeEnv: string): Promise<SeedContext> {
  if (nodeEnv === 'production') throw new SeedRefused('Refusing to load demo data with NODE_ENV=production.');
  const centers = await seedCenters();
  const users = await seedAccounts(centers);
  const ctx = { centers, users };
  for (const step of steps) await step(ctx);
  return ctx;
}

export async function databaseIsEmpty(): Promise<boolean> {
  return (await User.estimatedDocumentCount()) === 0;
}
