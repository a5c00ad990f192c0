import http from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createApp } from './app.ts';
import { createRealtime } from './realtime/server.ts';

/** The app, its HTTP server and socket.io, listening. Used by main.ts and by browser tests. */
export async function startWebServer(opts: { config: Config; logger: Logger; sessionSecret: string }) {
  const { app, sessionMiddleware, passport, setListeningAddress, publicOrigin } = createApp(opts);
  const server = http.createServer(app);
  const realtime = await createRealtime({
    httpServer: server,
    sessionMiddleware,
    passport,
    siteOrigin: publicOrigin,
    strictOrigin: !!opts.config.PUBLIC_URL,
    redisUrl: opts.config.REDIS_URL,
    logger: opts.logger,
  });
  await new Promise<void>((resolve) => server.listen(opts.config.PORT, opts.config.HOST, resolve));
  const port = (server.address() as { port: number }).port;
  setListeningAddress(opts.config.HOST, port);
  return {
    server,
    port,
    async close() {
      await realtime.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
