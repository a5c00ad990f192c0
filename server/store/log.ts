import { pino, type Logger } from 'pino';

// The store logs failed loads through the app's logger once the app is built (createApp);
// scripts that use the store without an app log at the configured level.
let logger: Pick<Logger, 'warn'> = pino({ level: process.env.LOG_LEVEL ?? 'info' });

export function setStoreLogger(l: Pick<Logger, 'warn'>): void {
  logger = l;
}

export function storeLog(): Pick<Logger, 'warn'> {
  return logger;
}
