import assert from 'node:assert/strict';
import request from 'supertest';
import WebSocket from 'ws';
import { csrfFrom } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { startSite } from '../helpers/browser.ts';
import { disconnectUser, emit, rooms } from '../../server/realtime/hub.ts';
import { User } from '../../models/user.ts';

// Issue 14, finding 5: a socket dies with its login session, and only the site's own pages may
// open one. Speaks engine.io v4 over a raw WebSocket (no socket.io client in the project).
interface Probe {
  opened: Promise<boolean>;
  closed: Promise<void>;
  events: [string, unknown][];
  close(): void;
}

function probe(base: string, headers: Record<string, string>): Probe {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers });
  const events: [string, unknown][] = [];
  let open: (v: boolean) => void;
  const opened = new Promise<boolean>((r) => (open = r));
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  ws.on('unexpected-response', () => open(false));
  ws.on('error', () => open(false));
  ws.on('message', (data) => {
    const m = String(data);
    if (m.startsWith('0'))
      ws.send('40'); // engine open → connect to namespace "/"
    else if (m.startsWith('40'))
      open(true); // connected
    else if (m === '2')
      ws.send('3'); // ping → pong
    else if (m.startsWith('42')) {
      const [name, payload] = JSON.parse(m.slice(2)) as [string, unknown];
      events.push([name, payload]);
    }
  });
  ws.on('close', () => open(false));
  return { opened, closed, events, close: () => ws.close() };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms))]);

describe('security: sockets (issue 14 #5)', function () {
  this.timeout(60_000);
  let site: Awaited<ReturnType<typeof startSite>>;
  before(async () => {
    await freshDemo();
    site = await startSite();
  });
  after(async () => site?.close());

  async function logIn(phone: string) {
    const ag = request.agent(site.url);
    const page = await ag.get('/login');
    const res = await ag
      .post('/login')
      .type('form')
      .send({ phone, password: 'doorstep-demo', _csrf: csrfFrom(page.text) });
    assert.equal(res.status, 302);
    const sid = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('doorstep.sid='))!.split(';')[0]!;
    return { ag, sid };
  }

  it("refuses a handshake from another site's Origin and accepts the site's own", async () => {
    const evil = probe(site.url, { Origin: 'http://evil.example' });
    assert.equal(await within(evil.opened, 5_000, 'a refusal'), false);
    const own = probe(site.url, { Origin: site.url });
    assert.equal(await within(own.opened, 5_000, 'a connection'), true);
    own.close();
  });

  it("closes a session's sockets at logout, so its user's events stop", async () => {
    const { ag, sid } = await logIn('13800000003');
    const user = (await User.findOne({ phone: '13800000003' }).lean())!;
    const s = probe(site.url, { Cookie: sid, Origin: site.url });
    assert.equal(await within(s.opened, 5_000, 'a connection'), true);
    await new Promise((r) => setTimeout(r, 200));
    emit(rooms.user(String(user._id)), 'notification', { n: 1 });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      s.events.map((e) => e[0]),
      ['notification'],
      "a logged-in socket gets its user's events",
    );
    const token = csrfFrom((await ag.get('/profile')).text);
    assert.equal((await ag.post('/logout').type('form').send({ _csrf: token })).status, 302);
    await within(s.closed, 5_000, 'the socket closed at logout');
    emit(rooms.user(String(user._id)), 'notification', { n: 2 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.events.length, 1);
  });

  it("closes all of a user's sockets through disconnectUser (for password changes and disabled accounts)", async () => {
    const a = await logIn('13800000004');
    const b = await logIn('13800000004');
    const other = await logIn('13800000003');
    const user = (await User.findOne({ phone: '13800000004' }).lean())!;
    const [sa, sb, so] = [a, b, other].map((x) => probe(site.url, { Cookie: x.sid, Origin: site.url }));
    for (const s of [sa!, sb!, so!]) assert.equal(await within(s.opened, 5_000, 'a connection'), true);
    await new Promise((r) => setTimeout(r, 200));
    disconnectUser(String(user._id));
    await within(Promise.all([sa!.closed, sb!.closed]), 5_000, 'both sockets closed');
    const stillOpen = await Promise.race([so!.closed.then(() => false), new Promise((r) => setTimeout(() => r(true), 500))]);
    assert.equal(stillOpen, true, 'another user keeps their socket');
    so!.close();
  });
  it("closes a resident's sockets when staff reset their password at the desk", async () => {
    const resident = await logIn('13800000004');
    const staff = await logIn('13800000001');
    const user = (await User.findOne({ phone: '13800000004' }).lean())!;
    const s = probe(site.url, { Cookie: resident.sid, Origin: site.url });
    assert.equal(await within(s.opened, 5_000, 'a connection'), true);
    const page = await staff.ag.get(`/staff/residents/${String(user._id)}/password`);
    const res = await staff.ag
      .post(`/staff/residents/${String(user._id)}/password`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), idChecked: 'on' });
    assert.equal(res.status, 200);
    await within(s.closed, 5_000, "the resident's socket closed at the reset");
  });
});
