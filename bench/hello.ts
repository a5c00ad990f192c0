// Calibration servers: `node bench/hello.ts http|express` on PORT.
import http from 'node:http';
import express from 'express';

const port = Number(process.env.PORT);
const kind = process.argv[2];
const server =
  kind === 'express'
    ? (() => {
        const app = express();
        app.disable('x-powered-by');
        app.get('/', (_req, res) => res.send('Hello, World!'));
        return app.listen(port, '127.0.0.1', () => process.stdout.write('listening\n'));
      })()
    : http
        .createServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('Hello, World!');
        })
        .listen(port, '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
