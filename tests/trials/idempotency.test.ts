// Reliability trial: the same piece-work form sent many times — at once, and again after the
// app restarted — is stored once and answered the same way every time.
import assert from 'node:assert/strict';
import request from 'supertest';
import { app } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { sessionCookie, formAuth } from '../helpers/sessions.ts';
import { startAppNode } from '../helpers/cluster.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { Workshop } from '../../models/workshop.ts';
import { Task } from '../../models/task.ts';
import { Membership } from '../../models/membership.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { summaryIds } from '../../server/workshops/summaries.ts';
import { dayKey } from '../../server/lib/format.ts';
import type { SeedContext } from '../../server/seed/index.ts';

describe('trial: idempotency', function () {
  this.timeout(180_000);
  let ctx: SeedContext;
  let form: Record<string, string>;
  let workshop: string;
  let worker: string;

  before(async () => {
    ctx = await freshDemo();
    const w = await Workshop.findOne({ center: ctx.centers.miaoxi }, { _id: 1 }).lean();
    workshop = String(w!._id);
    const task = await Task.findOne({ workshop, active: true }, { _id: 1 }).lean();
    worker = String((await Membership.findOne({ workshop }, { resident: 1 }).lean())!.resident);
    form = {
      workerId: worker,
      taskId: String(task!._id),
      counted: '12',
      rejected: '2',
      date: dayKey(),
      note: '重复提交试验',
      orderId: '',
      idempotencyKey: `idem-${Date.now()}`,
    };
  });

  it('the same submission sent 20 times at once is one entry, with the same response each time', async () => {
    const get = async (path: string, cookie: string) => {
      const res = await request(app()).get(path).set('Cookie', cookie);
      return { text: res.text, setCookie: (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [] };
    };
    const auth = await formAuth(get, await sessionCookie(ctx.users.miaoxiStaff!), `/staff/workshops/${workshop}/log`);
    const before = await WorkSummary.findById(summaryIds.workerMonth(worker, workshop, form.date!.slice(0, 7))).lean();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(app())
          .post(`/staff/workshops/${workshop}/entries`)
          .set('Cookie', auth.cookie)
          .type('form')
          .send({ ...form, _csrf: auth.token }),
      ),
    );
    const answers = new Set(responses.map((r) => `${r.status} ${r.headers.location}`));
    assert.equal(answers.size, 1, `one answer for all: ${[...answers].join(' | ')}`);
    assert.ok(responses[0]!.status < 400);
    assert.equal(await LedgerEntry.countDocuments({ idempotencyKey: form.idempotencyKey }), 1);
    const after = await WorkSummary.findById(summaryIds.workerMonth(worker, workshop, form.date!.slice(0, 7))).lean();
    assert.equal(after!.accepted - (before?.accepted ?? 0), 10, 'counted once in the summaries');
  });

  it('sent again to a restarted app, it is still one entry with the same response', async () => {
    const first = await startAppNode();
    const cookie = await sessionCookie(ctx.users.miaoxiStaff!);
    const viaNode = async (url: string) => {
      const get = async (path: string, c: string) => {
        const res = await request(url).get(path).set('Cookie', c);
        return { text: res.text, setCookie: (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [] };
      };
      const auth = await formAuth(get, cookie, `/staff/workshops/${workshop}/log`);
      return request(url)
        .post(`/staff/workshops/${workshop}/entries`)
        .set('Cookie', auth.cookie)
        .type('form')
        .send({ ...form, _csrf: auth.token });
    };
    const a = await viaNode(first.url);
    await first.stop('SIGKILL');
    const second = await startAppNode();
    try {
      const b = await viaNode(second.url);
      assert.equal(`${b.status} ${b.headers.location}`, `${a.status} ${a.headers.location}`);
    } finally {
      await second.stop();
    }
    assert.equal(await LedgerEntry.countDocuments({ idempotencyKey: form.idempotencyKey }), 1);
  });
});
