// The SMS sender: never twice (concurrent senders, a crash after the claim, a crash after the
// gateway accepted), retried after failures with growing pauses, and still sent after a restart.
import assert from 'node:assert/strict';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { notify } from '../../server/notifications/service.ts';
import { devGateway } from '../../server/outbox/gateway.ts';
import { sendDueMessages, sweepOld, LEASE_MS, MAX_ATTEMPTS, MESSAGES_KEPT_MS, retryDelay } from '../../server/outbox/sender.ts';
import { saveChannelPrefs } from '../../server/outbox/service.ts';
import { OutboxMessage } from '../../models/outbox-message.ts';
import { OutboxDue } from '../../models/outbox-due.ts';
import { OutboxClaim } from '../../models/outbox-claim.ts';
import { chooseSms, countingGateway, emptyOutbox, logLines, removeTempLogs, tempLog } from './helpers.ts';

const later = (d: Date, ms: number) => new Date(d.getTime() + ms);

describe('outbox: the SMS sender', function () {
  this.timeout(120_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });
  beforeEach(emptyOutbox);
  after(removeTempLogs);

  /** `count` residents who chose SMS, each told once; returns the message ids. */
  async function queued(count: number): Promise<string[]> {
    const users = await Promise.all(Array.from({ length: count }, () => makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '王小明' })));
    for (const u of users) await chooseSms(u.id);
    for (const u of users) await notify(u.id, 'coursePromoted', { course: '电工入门' }, '/courses');
    const ids = (await OutboxMessage.find({}, { _id: 1 }).lean()).map((m) => m._id);
    assert.equal(ids.length, count, 'one queued message per resident');
    return ids;
  }

  it('five senders at once send each message exactly once', async () => {
    const ids = await queued(12);
    const gateway = countingGateway();
    const reports = await Promise.all(Array.from({ length: 5 }, () => sendDueMessages(gateway)));
    assert.equal(
      reports.reduce((s, r) => s + r.sent, 0),
      12,
    );
    assert.deepEqual(gateway.calls.map((c) => c.key).sort(), [...ids].sort(), 'every message handed to the gateway once');
    assert.equal(await OutboxMessage.countDocuments({ status: 'sent' }), 12);
    assert.equal(await OutboxDue.countDocuments({}), 0, 'nothing left to send');
    // Running again (a later tick, another node) sends nothing more.
    await Promise.all([sendDueMessages(gateway), sendDueMessages(gateway)]);
    assert.equal(gateway.calls.length, 12);
  });

  it('concurrent senders on the development gateway write each message once to sms.log', async () => {
    const ids = await queued(6);
    const file = tempLog();
    // Separate adapter instances, like separate processes sharing the file.
    await Promise.all(Array.from({ length: 4 }, () => sendDueMessages(devGateway(file))));
    const keys = logLines(file).map((l) => l.key);
    assert.deepEqual([...keys].sort(), [...ids].sort());
  });

  it('a crash after the claim: nothing is sent while the lease runs; after a restart, once', async () => {
    const [id] = await queued(1);
    const t0 = new Date();
    // What a process that died right after claiming attempt 1 leaves behind.
    await OutboxClaim.create({ _id: `${id}#1`, at: t0 });
    const file = tempLog();
    await Promise.all([sendDueMessages(devGateway(file), t0), sendDueMessages(devGateway(file), later(t0, 60_000))]);
    assert.equal(logLines(file).length, 0, 'a held attempt is not sent by anyone else within its lease');
    // The restarted process (a new adapter) after the lease.
    const restart = later(t0, LEASE_MS + 1000);
    await Promise.all([sendDueMessages(devGateway(file), restart), sendDueMessages(devGateway(file), restart)]);
    assert.deepEqual(
      logLines(file).map((l) => l.key),
      [id],
    );
    const msg = (await OutboxMessage.findById(id).lean())!;
    assert.equal(msg.status, 'sent');
    assert.equal(msg.attempts, 2, 'the interrupted attempt counts');
    await sendDueMessages(devGateway(file), later(restart, 3600_000));
    assert.equal(logLines(file).length, 1);
  });

  it('a crash after the gateway accepted but before it was recorded: sent once all the same', async () => {
    const [id] = await queued(1);
    const t0 = new Date();
    const file = tempLog();
    const msg = (await OutboxMessage.findById(id).lean())!;
    await OutboxClaim.create({ _id: `${id}#1`, at: t0 });
    await devGateway(file).send({ to: msg.to, text: msg.text, key: id! }); // ...and then the process died
    await sendDueMessages(devGateway(file), later(t0, LEASE_MS + 1000));
    assert.equal(logLines(file).length, 1, 'the same key is not delivered twice');
    assert.equal((await OutboxMessage.findById(id).lean())!.status, 'sent');
  });

  it('retries a failing gateway with growing pauses, then sends once', async () => {
    const [id] = await queued(1);
    const gateway = countingGateway((_m, call) => (call <= 2 ? 'provider busy' : null));
    const t0 = new Date();
    assert.equal((await sendDueMessages(gateway, t0)).retry, 1);
    let msg = (await OutboxMessage.findById(id).lean())!;
    assert.equal(msg.status, 'queued');
    assert.equal(msg.attempts, 1);
    assert.equal(msg.lastError, 'provider busy');
    assert.equal(msg.nextAttemptAt!.getTime(), t0.getTime() + retryDelay(1));
    await sendDueMessages(gateway, later(t0, retryDelay(1) - 1000));
    assert.equal(gateway.calls.length, 1, 'not before the pause is over');
    const t1 = later(t0, retryDelay(1));
    await sendDueMessages(gateway, t1);
    const t2 = later(t1, retryDelay(2));
    assert.equal(retryDelay(2), 2 * retryDelay(1), 'the pause doubles');
    assert.equal((await sendDueMessages(gateway, t2)).sent, 1);
    msg = (await OutboxMessage.findById(id).lean())!;
    assert.equal(msg.status, 'sent');
    assert.equal(msg.attempts, 3);
    assert.equal(gateway.calls.length, 3);
    assert.equal(await OutboxDue.countDocuments({}), 0);
  });

  it(`gives up after ${MAX_ATTEMPTS} failed attempts and says why`, async () => {
    const [id] = await queued(1);
    const gateway = countingGateway(() => 'number unreachable');
    let t = new Date();
    for (let i = 1; i <= MAX_ATTEMPTS + 2; i += 1) {
      await sendDueMessages(gateway, t);
      t = later(t, 3600_000);
    }
    assert.equal(gateway.calls.length, MAX_ATTEMPTS);
    const msg = (await OutboxMessage.findById(id).lean())!;
    assert.equal(msg.status, 'failed');
    assert.equal(msg.lastError, 'number unreachable');
    assert.equal(await OutboxDue.countDocuments({}), 0);
  });

  it('the same key queued twice is one message (a job run again, another node)', async () => {
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    await chooseSms(u.id);
    await Promise.all([1, 2, 3].map(() => notify(u.id, 'courseCancelled', { course: '烘焙' }, '', { key: 'cancel:c1:u1' })));
    assert.equal(await OutboxMessage.countDocuments({ user: u.id }), 1);
    const gateway = countingGateway();
    await Promise.all([sendDueMessages(gateway), sendDueMessages(gateway)]);
    assert.equal(gateway.calls.length, 1);
  });

  it('does not send what was queued before the person turned text messages off', async () => {
    const [id] = await queued(1);
    const msg = (await OutboxMessage.findById(id).lean())!;
    await saveChannelPrefs(String(msg.user), { sms: false, lang: 'zh-CN' });
    const gateway = countingGateway();
    await sendDueMessages(gateway);
    assert.equal(gateway.calls.length, 0);
    assert.equal((await OutboxMessage.findById(id).lean())!.status, 'cancelled');
    assert.equal(await OutboxDue.countDocuments({}), 0);
  });

  it('sweeps finished messages after their keeping time, never queued ones', async () => {
    const [sent, waiting] = await queued(2);
    await sendDueMessages(countingGateway((m) => (m.key === waiting ? 'busy' : null)));
    const old = new Date(Date.now() - MESSAGES_KEPT_MS - 1000);
    await OutboxMessage.updateMany({}, { $set: { createdAt: old } });
    await sweepOld();
    assert.equal(await OutboxMessage.countDocuments({ _id: sent }), 0);
    assert.equal(await OutboxMessage.countDocuments({ _id: waiting }), 1, 'a message still being retried stays');
  });

  it('drops a due entry whose message never arrived (a stop between the two inserts)', async () => {
    const t0 = new Date();
    await OutboxDue.create({ _id: 'sms:lost', dueAt: t0, createdAt: t0 });
    await sendDueMessages(countingGateway(), t0);
    assert.equal(await OutboxDue.countDocuments({}), 1, 'kept while the message may still be on its way');
    await sendDueMessages(countingGateway(), later(t0, 120_000));
    assert.equal(await OutboxDue.countDocuments({}), 0);
  });
});
