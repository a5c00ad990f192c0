import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { RateLimits } from './rate-limits.ts';

/** What route modules may use; built once in app.ts. */
export interface RouteDeps {
  config: Config;
  logger: Logger;
  limits: RateLimits;
  /** An absolute URL for a path on this site, from PUBLIC_URL (or the listening address in development). */
  absoluteUrl(path: string): string;
}
