// A minimal socket.io client over Node's WebSocket (Engine.IO 4 / socket.io 5 framing), enough
// for a test to join a room and hear events from an app node in another process.
export interface TestSocket {
  /** Events heard so far, in order. */
  events: { event: string; payload: unknown }[];
  /** Asks to join a room; resolves with the server's answer. */
  subscribe(room: string): Promise<boolean>;
  /** Resolves with the first event (heard before or after the call) that `match` accepts. */
  waitFor(match: (event: string, payload: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

export async function connectSocket(baseUrl: string): Promise<TestSocket> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const events: TestSocket['events'] = [];
  const acks = new Map<number, (args: unknown[]) => void>();
  const listeners = new Set<() => void>();
  let nextAck = 1;
  const connected = new Promise<void>((resolve, reject) => {
    ws.addEventListener('error', () => reject(new Error(`socket to ${baseUrl} failed`)));
    ws.addEventListener('message', (m: MessageEvent) => {
      const data = String(m.data);
      if (data.startsWith('0'))
        ws.send('40'); // engine open → socket.io connect to "/"
      else if (data === '2')
        ws.send('3'); // ping → pong
      else if (data.startsWith('40')) resolve();
      else if (data.startsWith('42')) {
        const [event, payload] = JSON.parse(data.slice(2)) as [string, unknown];
        events.push({ event, payload });
        for (const l of listeners) l();
      } else if (data.startsWith('43')) {
        const m2 = /^43(\d+)(.*)$/s.exec(data)!;
        acks.get(Number(m2[1]))?.(JSON.parse(m2[2]!) as unknown[]);
      }
    });
  });
  await connected;
  return {
    events,
    subscribe(room) {
      const id = nextAck++;
      return new Promise((resolve) => {
        acks.set(id, (args) => resolve(args[0] === true));
        ws.send(`42${id}${JSON.stringify(['subscribe', room])}`);
      });
    },
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find((e) => match(e.event, e.payload));
          if (!hit) return false;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(hit.payload);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching event in ${timeoutMs} ms; heard ${JSON.stringify(events)}`));
        }, timeoutMs);
        if (!check()) listeners.add(check);
      });
    },
    close: () => ws.close(),
  };
}
