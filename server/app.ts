import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import cookieParser from 'cookie-parser';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { securityHeaders } from './http/security.ts';
import { sessionMiddleware } from './http/session.ts';
import { csrf } from './http/csrf.ts';
import { locale } from './http/locale.ts';
import { pageLocals } from './http/locals.ts';
import { flashDelivery } from './http/flash.ts';
import { rateLimits } from './http/rate-limits.ts';
import { notFound, errorHandler } from './http/errors.ts';
import { viewEngine } from './http/views.ts';
import type { RouteDeps } from './http/deps.ts';
import { configurePassport } from './accounts/passport.ts';
import { accountRoutes } from './accounts/routes.ts';
import { passwordChangeGate } from './accounts/routes/profile.ts';
import { centerRoutes } from './centers/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { backupRoutes } from './backup/routes.ts';
import { notificationRoutes } from './notifications/routes.ts';
import { outboxRoutes } from './outbox/routes.ts';
import { healthRoutes, homeRoutes } from './home/routes.ts';
import { fileRoutes } from './files/routes.ts';
import { courseRoutes } from './courses/routes.ts';
import { gigRoutes } from './gigs/routes.ts';
import { alertRoutes } from './alerts/routes.ts';
import { arrearsRoutes } from './arrears/routes.ts';
import { workshopRoutes } from './workshops/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { privacyRoutes } from './privacy/routes.ts';
import { setCheckinSecret, mayWatchSession } from './courses/checkin.ts';
import { registerFileAccess } from './files/upload.ts';
import { registerRoomPolicy } from './realtime/server.ts';
import { mayReadLicense } from './gigs/service/employers.ts';
import { mayReadAttachment } from './gigs/service/postings.ts';
import { mayReadMaterials } from './courses/service/roster.ts';
import { mayWatchBoardRoom } from './workshops/service.ts';
import { setStoreLogger } from './store/index.ts';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Who may download each kind of private file, and who may join each kind of live room. */
function registerAccessRules(): void {
  registerFileAccess('employerLicense', mayReadLicense);
  registerFileAccess('posting', mayReadAttachment);
  registerFileAccess('course', (user, ownerId) => mayReadMaterials(user, String(ownerId ?? '')));
  registerRoomPolicy('session', mayWatchSession);
  registerRoomPolicy('workshop', mayWatchBoardRoom);
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  sessionSecret: string;
}

/** Builds the Express app without listening or connecting; main.ts and the tests call this. */
export function createApp({ config, logger, sessionSecret }: AppOptions) {
  const app = express();
  const production = config.NODE_ENV === 'production';
  setStoreLogger(logger); // failed cache loads are logged with the rest
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.engine('hbs', viewEngine(ROOT));
  app.set('view engine', 'hbs');
  app.set('views', path.join(ROOT, 'views'));
  // Templates are compiled once unless a developer asked to see edits live; this is what makes
  // `npm start` (NODE_ENV=development for plain-HTTP cookies and demo data) serve at full speed.
  app.set('view cache', !config.TEMPLATE_RELOAD);

  app.use(securityHeaders(production));
  // Files are served from public/'s folders (css, img, js), each under its own prefix: a page's
  // address then costs no file-system lookup, which serve-static at the root made for every one.
  const assets = { maxAge: production ? '7d' : config.TEMPLATE_RELOAD ? 0 : '1h' };
  for (const dir of fs.readdirSync(path.join(ROOT, 'public'), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    app.use(`/${dir.name}`, express.static(path.join(ROOT, 'public', dir.name), assets));
  }
  // Browsers ask for /favicon.ico on pages without a <link rel=icon> (the board, posters).
  app.get('/favicon.ico', (_req, res) => res.type('image/svg+xml').sendFile(path.join(ROOT, 'public/img/icon.svg')));
  // Chart.js is served from our origin (CSP: no CDNs).
  app.get('/vendor/chart.umd.js', (_req, res) => res.sendFile(path.join(ROOT, 'node_modules/chart.js/dist/chart.umd.js')));
  app.use(healthRoutes());
  app.use(
    pinoHttp({
      logger,
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.replace(/([?&]_csrf=)[^&]*/, '$1[redacted]') }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/css/') || (req.url ?? '').startsWith('/js/') },
    }),
  );

  // Signed cookies carry flash messages (server/http/flash.ts).
  app.use(cookieParser(sessionSecret));
  app.use(locale);
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  const session = sessionMiddleware(config, sessionSecret);
  app.use(session.middleware);
  const passport = configurePassport();
  app.use(passport.session());
  // Whatever a logged-in person is shown (pages, statements, the pay CSV) stays out of shared and
  // back-button caches (issue 14, finding 10); a route may still set its own policy.
  app.use((req, res, next) => {
    if (req.user) res.setHeader('Cache-Control', 'no-store');
    next();
  });
  const csrfGuard = csrf(sessionSecret, production);
  app.use(csrfGuard.protect);
  app.use(flashDelivery);
  app.use(pageLocals(csrfGuard));
  app.use(passwordChangeGate);

  // Absolute URLs come from configuration, never from the request's Host header (finding 7):
  // PUBLIC_URL, or in development the address this node listens on (set by web-server.ts).
  let publicBase = (config.PUBLIC_URL ?? listeningUrl(config.HOST, config.PORT)).replace(/\/$/, '');
  const deps: RouteDeps = { config, logger, limits: rateLimits(config), absoluteUrl: (p) => `${publicBase}${p}` };
  app.use((req, res, next) => (req.method === 'POST' && req.is('multipart/form-data') ? deps.limits.upload(req, res, next) : next()));
  app.use(homeRoutes());
  app.use(accountRoutes(deps));
  app.use(centerRoutes());
  app.use(adminRoutes(deps));
  app.use(backupRoutes(deps));
  app.use(auditRoutes());
  app.use(notificationRoutes());
  app.use(outboxRoutes());
  app.use(fileRoutes());
  setCheckinSecret(sessionSecret);
  registerAccessRules();
  app.use(courseRoutes(deps));
  app.use(gigRoutes(deps));
  app.use(alertRoutes());
  app.use(arrearsRoutes());
  app.use(workshopRoutes(deps));
  app.use(reportRoutes());
  app.use(privacyRoutes(deps));

  app.use(notFound);
  app.use(errorHandler(logger));
  const setListeningAddress = (host: string, port: number) => {
    if (!config.PUBLIC_URL) publicBase = listeningUrl(host, port);
  };
  return {
    app,
    sessionMiddleware: session.middleware,
    sessionStore: session.store,
    passport,
    setListeningAddress,
    publicOrigin: () => new URL(publicBase).origin,
  };
}

/** http://host:port for a listening address; a wildcard address is reached as localhost. */
export function listeningUrl(host: string, port: number): string {
  const h = ['0.0.0.0', '::', ''].includes(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
