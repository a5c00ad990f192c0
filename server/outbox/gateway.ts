import fs from 'node:fs';
import path from 'node:path';

/** One text message to hand to a provider. */
export interface SmsMessage {
  to: string;
  text: string;
  /** The outbox message's idempotency key: the same key must never reach the phone twice. */
  key: string;
}

/**
 * What the outbox needs from an SMS provider. `send` resolves once the provider has accepted the
 * message and throws when it has not (the outbox retries later with the same key). A real adapter
 * passes `key` as the provider's own deduplication id (a client reference the provider refuses to
 * deliver twice): a send whose acceptance was never recorded here (a crash, a timeout) is tried
 * again after a while, and only the key keeps that from reaching the phone twice.
 */
export interface SmsGateway {
  readonly name: string;
  send(message: SmsMessage): Promise<void>;
}

/**
 * The development adapter: appends one line per message to a log file instead of sending
 * (`<ISO time>\t<key>\t<to>\t<text>`), and, like a provider with client references, accepts a key
 * it has already logged without logging it again.
 */
export function devGateway(file: string): SmsGateway {
  let logged: Set<string> | undefined;
  const keysInFile = (): Set<string> => {
    const keys = new Set<string>();
    if (!fs.existsSync(file)) return keys;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const key = line.split('\t')[1];
      if (key) keys.add(key);
    }
    return keys;
  };
  return {
    name: 'dev',
    async send({ to, text, key }) {
      logged ??= keysInFile();
      if (logged.has(key)) return;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // One line per message: tabs and line breaks in the text would break the format.
      await fs.promises.appendFile(file, `${new Date().toISOString()}\t${key}\t${to}\t${text.replace(/[\t\r\n]+/g, ' ')}\n`);
      logged.add(key);
    },
  };
}

/** The adapter SMS_GATEWAY names (a real provider is added here, beside `dev`). */
export function smsGateway(config: { SMS_GATEWAY: 'dev'; DATA_DIR: string }): SmsGateway {
  switch (config.SMS_GATEWAY) {
    case 'dev':
      return devGateway(path.join(config.DATA_DIR, 'sms.log'));
  }
}
