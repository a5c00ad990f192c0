import { z } from 'zod';

// Every environment variable the app reads is declared here and nowhere else.
const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.url().optional(),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
    MONGOD_PATH: z.string().min(1).optional(),
    FERRETDB_PATH: z.string().min(1).optional(),
    DATA_DIR: z.string().min(1).default('data'),
    CACHE_DIR: z.string().min(1).optional(),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: bool.default(false),
    // Failed logins allowed per phone and IP in 15 minutes (ten times that per IP alone).
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(100000).default(10),
    // Failed logins allowed per account from all IPs together before it locks for the rest of a
    // LOGIN_LOCK_MINUTES window (staff can unlock it at the desk).
    LOGIN_ACCOUNT_LIMIT: z.coerce.number().int().min(1).max(100000).default(20),
    LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
    // Sign-ups and uploads allowed per IP in an hour.
    REGISTER_RATE_LIMIT: z.coerce.number().int().min(1).max(100000).default(20),
    UPLOAD_RATE_LIMIT: z.coerce.number().int().min(1).max(100000).default(60),
    SEED_ON_EMPTY: bool.default(true),
    // Re-read templates on every request (`npm run dev`). Off by default: Express recompiles
    // every template per request when the view cache is off, 6–15× slower (issue 13, item 19).
    TEMPLATE_RELOAD: bool.default(false),
    // Backups (server/backup): where they go (default <DATA_DIR>/backups), whether the app takes
    // one every night, at which hour (center time), and how many it keeps.
    BACKUP_DIR: z.string().min(1).optional(),
    BACKUP_NIGHTLY: bool.default(true),
    BACKUP_HOUR: z.coerce.number().int().min(0).max(23).default(3),
    BACKUP_KEEP_DAILY: z.coerce.number().int().min(1).max(365).default(7),
    BACKUP_KEEP_WEEKLY: z.coerce.number().int().min(0).max(520).default(4),
    // Where text messages go (server/outbox/gateway.ts): `dev` appends them to DATA_DIR/sms.log.
    SMS_GATEWAY: z.enum(['dev']).default('dev'),
    // Days between a person's deletion request and its being carried out (they may cancel meanwhile).
    DELETION_COOLING_DAYS: z.coerce.number().int().min(0).max(90).default(15),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    // Absolute links (QR codes, posters, certificates, check-in) never come from the request's
    // Host header (issue 14, finding 7), so production must say where it is reached.
    if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required when NODE_ENV=production (the https:// address residents use)' });
    }
  });

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in .env files mean "unset", not "the empty value".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid environment configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
