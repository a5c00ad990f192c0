import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import type { RequestHandler } from 'express';
import type { PassportStatic } from 'passport';
import type { Logger } from 'pino';
import { attachIo, rooms } from './hub.ts';

type RoomPolicy = (user: Express.User | undefined, id: string) => Promise<boolean> | boolean;

// Which rooms a socket may join on request, by prefix. Boards are public; capabilities add
// policies for their own rooms (e.g. a course session's live check-ins for its staff).
const policies = new Map<string, RoomPolicy>([['board', () => true]]);

export function registerRoomPolicy(prefix: string, policy: RoomPolicy): void {
  policies.set(prefix, policy);
}

type Next = (err?: unknown) => void;
const onlyForHandshake = (mw: RequestHandler) => (req: IncomingMessage & { _query?: Record<string, string> }, res: ServerResponse, next: Next) =>
  req._query?.sid === undefined ? (mw as unknown as (a: unknown, b: unknown, c: Next) => void)(req, res, next) : next();

/**
 * A browser always sends Origin on a WebSocket handshake and on cross-site polling; it must be
 * the site's own (PUBLIC_URL, or the listening address). Without PUBLIC_URL (development) the
 * same host as the request is also accepted, so http://localhost and http://127.0.0.1 both work.
 * No Origin: a same-origin polling GET or a non-browser client, which carries no ambient cookie
 * from another site.
 */
export function originAllowed(req: IncomingMessage, siteOrigin: string, strict: boolean): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (origin === siteOrigin) return true;
  if (strict) return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export async function createRealtime(opts: {
  httpServer: HttpServer;
  /** The site's origin, checked against each handshake's Origin header. */
  siteOrigin: () => string;
  /** True when PUBLIC_URL is set: only that origin. */
  strictOrigin: boolean;
  sessionMiddleware: RequestHandler;
  passport: PassportStatic;
  redisUrl?: string;
  logger: Logger;
}): Promise<{ io: Server; close: () => Promise<void> }> {
  const io = new Server(opts.httpServer, {
    serveClient: true,
    transports: ['websocket', 'polling'],
    allowRequest: (req, callback) => callback(null, originAllowed(req, opts.siteOrigin(), opts.strictOrigin)),
  });
  // Share the Express session so sockets know the logged-in user (socket.io's passport example).
  io.engine.use(onlyForHandshake(opts.sessionMiddleware));
  io.engine.use(onlyForHandshake(opts.passport.session() as unknown as RequestHandler));

  let closeRedis = async () => {};
  if (opts.redisUrl) {
    const { createClient } = await import('redis');
    const { createAdapter } = await import('@socket.io/redis-adapter');
    const pub = createClient({ url: opts.redisUrl });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
    closeRedis = async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    };
    opts.logger.info('socket.io uses the Redis adapter');
  }

  io.on('connection', (socket) => {
    const request = socket.request as IncomingMessage & { user?: Express.User; sessionID?: string };
    const user = request.user;
    if (user) {
      // Logout closes this session's sockets through this room.
      if (request.sessionID) void socket.join(rooms.login(request.sessionID));
      void socket.join(rooms.user(user.id));
      if (user.staffCenter) void socket.join(rooms.center(user.staffCenter));
    }
    socket.on('subscribe', async (room: unknown, ack?: (ok: boolean) => void) => {
      const ok = typeof room === 'string' && /^[a-z]+:[a-f\d]{24}$/.test(room) && (await policies.get(room.split(':')[0]!)?.(user, room.split(':')[1]!));
      if (ok) await socket.join(room as string);
      if (typeof ack === 'function') ack(!!ok);
    });
  });

  attachIo(io);
  return {
    io,
    close: async () => {
      attachIo(undefined);
      io.disconnectSockets(true);
      await new Promise<void>((r) => io.close(() => r()));
      await closeRedis();
    },
  };
}
