import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { Refusal, type RefusalKind } from '../lib/refusal.ts';

/** An error the user should see: a status and an i18n key (plus params), never raw text. */
export class HttpError extends Error {
  status: number;
  key: string;
  params: Record<string, string | number>;
  constructor(status: number, key: string, params: Record<string, string | number> = {}) {
    super(key);
    this.status = status;
    this.key = key;
    this.params = params;
  }
}

export const notFound: RequestHandler = (_req, _res, next) => next(new HttpError(404, 'errors.notFound'));

const STATUS: Record<RefusalKind, number> = { invalid: 400, forbidden: 403, 'not-found': 404, conflict: 409, gone: 410 };

/** The status a refusal answers with, for routes that render their own page for it. */
export const statusOf = (refusal: Refusal): number => STATUS[refusal.kind];

/** Maps whatever was thrown to a status and message key; a service's refusal by its kind. */
function classify(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof Refusal) return new HttpError(STATUS[err.kind], err.key, err.params);
  const e = err as { status?: number; statusCode?: number; type?: string; code?: string; name?: string };
  const status = e.status ?? e.statusCode;
  if (e.code === 'EBADCSRFTOKEN' || e.code === 'EBADCSRF') return new HttpError(403, 'errors.csrf');
  if (e.name === 'CastError') return new HttpError(404, 'errors.notFound');
  if (e.type === 'entity.too.large') return new HttpError(413, 'errors.tooLarge');
  if (e.name === 'MulterError') return new HttpError(400, 'errors.upload');
  if (status && status >= 400 && status < 500) return new HttpError(status, status === 404 ? 'errors.notFound' : 'errors.badRequest');
  return new HttpError(500, 'errors.server');
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const httpErr = classify(err);
    if (httpErr.status >= 500) logger.error({ err, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return void res.end();
    const message = req.t ? req.t(httpErr.key, httpErr.params) : httpErr.key;
    res.status(httpErr.status);
    if (req.accepts(['html', 'json']) === 'json') {
      return void res.json({ error: { status: httpErr.status, key: httpErr.key, message } });
    }
    res.render('errors/error', { status: httpErr.status, message, title: req.t?.(`errors.title${httpErr.status}`) });
  };
}
