import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.ts';
import { HttpError } from './errors.ts';
import { normalizePhone } from '../accounts/schemas.ts';

const tooMany = (_req: Request, _res: Response, next: NextFunction) => next(new HttpError(429, 'errors.tooManyRequests'));

export interface RateLimits {
  login: RequestHandler[];
  register: RequestHandler;
  upload: RequestHandler;
}

export function rateLimits(config: Config): RateLimits {
  const ip = (req: Request) => ipKeyGenerator(req.ip ?? '');
  const common = { standardHeaders: 'draft-8' as const, legacyHeaders: false, handler: tooMany };
  return {
    login: [
      // Only failed attempts count, so a busy desk logging many residents in is not blocked.
      rateLimit({ ...common, windowMs: 15 * 60_000, limit: config.LOGIN_RATE_LIMIT * 10, skipSuccessfulRequests: true, keyGenerator: (req) => ip(req) }),
      rateLimit({
        ...common,
        windowMs: 15 * 60_000,
        limit: config.LOGIN_RATE_LIMIT,
        skipSuccessfulRequests: true,
        // The same normalised phone that login looks up, so padding it does not open a new bucket.
        keyGenerator: (req) => `${ip(req)}|${normalizePhone((req.body as Record<string, unknown>)?.phone)}`,
      }),
    ],
    register: rateLimit({ ...common, windowMs: 60 * 60_000, limit: config.REGISTER_RATE_LIMIT, keyGenerator: (req) => ip(req) }),
    upload: rateLimit({ ...common, windowMs: 60 * 60_000, limit: config.UPLOAD_RATE_LIMIT, keyGenerator: (req) => ip(req) }),
  };
}
