import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { loggedIn, makeApp, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import { actor, addMember, assertSummariesMatchLedger, key, makeShop, seededShop } from '../workshops/helpers.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import { WorkSummary } from '../../models/work-summary.ts';
import { PayPeriod } from '../../models/pay-period.ts';
import { Task } from '../../models/task.ts';
import { User } from '../../models/user.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { dayKey } from '../../server/lib/format.ts';
import * as ledger from '../../server/workshops/ledger.ts';
import { statementsFromLedger } from '../../server/workshops/periods.ts';
import { figures, lastMonths } from '../../server/workshops/reports.ts';
import { saveFile, openFile } from '../../server/files/store.ts';
import { writeBackup, SKIPPED } from '../../server/backup/dump.ts';
import { restoreBackup, NotEmptyError } from '../../server/backup/restore.ts';
import { BackupInvalidError, verifyBackup } from '../../server/backup/format.ts';
import { currentBackup, listBackups } from '../../server/backup/service.ts';

const db = () => mongoose.connection.db!;

/** Documents per collection (what a backup must hold; sessions and backup runs are left out). */
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of await db().listCollections({}, { nameOnly: true }).toArray()) {
    if (c.name.startsWith('system.') || SKIPPED.has(c.name)) continue;
    const n = await db().collection(c.name).countDocuments();
    if (n) out[c.name] = n;
  }
  return out;
}

async function readFile(id: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of openFile(id)) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Everything a workshop's people and managers see about their money. */
async function workshopPicture(shopIds: string[]) {
  const months = lastMonths(3);
  const statements = [];
  for (const id of shopIds) for (const m of months) statements.push(await statementsFromLedger(id, m));
  return {
    figures: await figures(shopIds, months),
    statements,
    periods: await PayPeriod.find().sort({ _id: 1 }).lean(),
    summaries: (await WorkSummary.find().sort({ _id: 1 }).lean()).map(withoutEmpty),
  };
}

/** A summary updated by $inc has no empty maps that a rebuilt one has; the totals are what count. */
function withoutEmpty(doc: unknown): unknown {
  return JSON.parse(JSON.stringify(doc, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0 ? undefined : v)));
}

describe('backup and restore', function () {
  this.timeout(120_000);
  let dir: string;
  let shopId: string;
  let fileId: string;
  let fileBytes: Buffer;
  let staff: Express.User;
  let workerIds: string[];
  let taskId: string;

  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'doorstep-backups-'));
    const ctx = await freshDemo();
    staff = await actor(ctx.users.miaoxiStaff!);
    const shop = await makeShop(ctx.centers.miaoxi!, { rateFen: 123 });
    shopId = shop.id;
    taskId = shop.taskId;
    workerIds = [];
    for (let i = 0; i < 3; i += 1) {
      const w = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, lowIncome: i === 0 });
      await addMember(shopId, w.id);
      workerIds.push(w.id);
    }
    for (let i = 0; i < 30; i += 1) {
      await ledger.logEntry(staff, shopId, {
        workerId: workerIds[i % 3]!,
        taskId,
        counted: 5 + (i % 4),
        rejected: i % 2,
        date: dayKey(),
        note: `批次${i}`,
        idempotencyKey: key('bk'),
      });
    }
    // An uploaded photo spanning several GridFS chunks (255 KiB each).
    fileBytes = randomBytes(700 * 1024);
    fileId = (await saveFile(fileBytes, '照片.jpg', { type: 'image/jpeg', access: 'private', ownerType: 'workshop', ownerId: shopId, uploader: null })).id;
  });

  after(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('round trip: the admin backs up the demo data, a workshop ledger and a file; wipe; restore gives back every count, total, statement and byte', async () => {
    const app = makeApp({ BACKUP_DIR: dir, BACKUP_NIGHTLY: '0' }).app;
    const admin = await loggedIn('13800000000', app);
    const home = await admin.get('/admin');
    assert.match(home.text, /There is no backup yet|还没有任何备份/);

    const before = await counts();
    assert.ok(before['files.chunks']! >= 3, 'the file spans several chunks');
    const shops = [shopId, (await seededShop()).id];
    const picture = await workshopPicture(shops);
    assert.ok(picture.figures.some((f) => f.paidFen > 0));

    const res = await submit(admin, '/admin', '/admin/backup', {});
    assert.equal(res.status, 302);
    await currentBackup();
    const [file] = await listBackups(dir);
    assert.ok(file, 'a backup file was written');
    const manifest = await verifyBackup(file.path);
    for (const [name, n] of Object.entries(before)) assert.equal(manifest.collections.find((c) => c.name === name)?.count, n, name);
    assert.ok(!manifest.collections.some((c) => c.name === 'sessions'), 'sessions are left out');
    assert.ok(await AuditEntry.exists({ action: 'backup.create', targetId: file.name }), 'the admin decision is audited');

    const after = await admin.get('/admin').set('Accept-Language', 'en');
    assert.doesNotMatch(after.text, /flash-error/);
    assert.ok(after.text.includes(file.path), 'the panel says where');

    await db().dropDatabase();
    assert.deepEqual(await counts(), {});
    const restored = await restoreBackup(file.path);
    assert.deepEqual(Object.fromEntries(restored.counts.filter((c) => c.count).map((c) => [c.name, c.count])), before);
    assert.ok(await AuditEntry.exists({ action: 'backup.restore', targetId: file.name, actorRole: 'system' }), 'the restore is in the audit log');
    const now = await counts();
    delete now.auditentries; // the backup's and the restore's own audit entries came after the dump
    delete before.auditentries;
    assert.deepEqual(now, before);
    assert.deepEqual(await workshopPicture(shops), picture);
    assert.deepEqual(await readFile(fileId), fileBytes);
    await assertSummariesMatchLedger(shopId);
    // People can still log in: accounts and password hashes came back.
    await loggedIn('13800000001', app);
  });

  it('refuses to restore into a database that holds data, unless told to replace it', async () => {
    const file = path.join(dir, 'replace.ndjson.gz');
    await writeBackup(db(), file);
    const ledgerCount = await LedgerEntry.countDocuments();
    await assert.rejects(
      restoreBackup(file),
      (err: unknown) => err instanceof NotEmptyError && /not empty/.test(err.message) && err.collections.includes('ledgerentries'),
    );
    assert.equal(await LedgerEntry.countDocuments(), ledgerCount);
    const extra = await makeUser({ role: 'resident', center: String((await User.findOne({}, { homeCenter: 1 }).lean())!.homeCenter) });
    await restoreBackup(file, { replace: true });
    assert.equal(await LedgerEntry.countDocuments(), ledgerCount);
    assert.equal(await User.exists({ _id: extra.id }), null, 'what was there was replaced');
    await fsp.rm(file);
  });

  it('a backup taken while piece-work is being logged restores to summaries that match the ledger', async () => {
    const file = path.join(dir, 'midwrite.ndjson.gz');
    let stop = false;
    let logged = 0;
    const writer = async (w: number) => {
      while (!stop) {
        await ledger.logEntry(staff, shopId, {
          workerId: workerIds[w]!,
          taskId,
          counted: 3,
          rejected: 0,
          date: dayKey(),
          note: '',
          idempotencyKey: key('mid'),
        });
        logged += 1;
      }
    };
    const writers = [0, 1, 2].map(writer);
    // Let writing get going, so the dump runs in the middle of it.
    while (logged < 10) await new Promise((r) => setTimeout(r, 20));
    const loggedAtStart = logged;
    await writeBackup(db(), file);
    const loggedAtEnd = logged;
    stop = true;
    await Promise.all(writers);
    assert.ok(loggedAtEnd > loggedAtStart, `entries were logged while the dump ran (${loggedAtStart} → ${loggedAtEnd})`);

    await db().dropDatabase();
    await restoreBackup(file);
    await assertSummariesMatchLedger(shopId);
    // Every entry's worker and task were read after it, so none points at nothing.
    const entries = await LedgerEntry.find({ workshop: shopId }, { worker: 1, task: 1 }).lean();
    const users = new Set((await User.find({}, { _id: 1 }).lean()).map((u) => String(u._id)));
    const tasks = new Set((await Task.find({}, { _id: 1 }).lean()).map((t) => String(t._id)));
    for (const e of entries) assert.ok(users.has(String(e.worker)) && tasks.has(String(e.task)), 'references resolve');
    await fsp.rm(file);
  });

  describe('damaged files are refused and change nothing', () => {
    let good: Buffer;
    before(async () => {
      const file = path.join(dir, 'good.ndjson.gz');
      await writeBackup(db(), file);
      good = await fsp.readFile(file);
      await fsp.rm(file);
    });

    async function assertRefused(bytes: Buffer, message: RegExp) {
      const file = path.join(dir, `bad-${Date.now()}.ndjson.gz`);
      await fsp.writeFile(file, bytes);
      const before = await counts();
      const ledgerBefore = await LedgerEntry.find().sort({ _id: 1 }).lean();
      // Even with --replace: the file is checked before anything is deleted.
      await assert.rejects(restoreBackup(file, { replace: true }), (err: unknown) => {
        assert.ok(err instanceof BackupInvalidError, `a BackupInvalidError, got ${String(err)}`);
        assert.match(err.message, message);
        return true;
      });
      assert.deepEqual(await counts(), before);
      assert.deepEqual(await LedgerEntry.find().sort({ _id: 1 }).lean(), ledgerBefore);
      await fsp.rm(file);
    }

    it('a cut-off file (copy interrupted)', async () => {
      await assertRefused(good.subarray(0, Math.floor(good.length / 2)), /cut off/);
    });

    it('a file cut off at a line boundary, with a valid gzip stream', async () => {
      const text = gunzipSync(good).toString('utf8');
      const cut = text.slice(0, text.lastIndexOf('{"$end"'));
      await assertRefused(gzipSync(cut), /cut off inside collection/);
    });

    it('a file whose ledger was edited (one amount changed)', async () => {
      const text = gunzipSync(good).toString('utf8');
      const tampered = text.replace(/"amountFen":\{"\$numberInt":"(\d+)"\}/, (_m, n: string) => `"amountFen":{"$numberInt":"${Number(n) + 100}"}`);
      assert.notEqual(tampered, text);
      await assertRefused(gzipSync(tampered), /checksum mismatch/);
    });

    it('a file with a document taken out and its counts "fixed" by hand', async () => {
      const lines = gunzipSync(good).toString('utf8').split('\n');
      const i = lines.findIndex((_l, j) => j > 0 && lines[j - 1]!.startsWith('{"$collection":"users"}'));
      lines.splice(i, 1);
      const end = lines.findIndex((l) => l.startsWith('{"$end":"users"'));
      lines[end] = lines[end]!.replace(/"count":(\d+)/, (_m, n: string) => `"count":${Number(n) - 1}`);
      await assertRefused(gzipSync(lines.join('\n')), /checksum mismatch/);
    });

    it('something that is not a backup', async () => {
      await assertRefused(gzipSync('{"hello":"world"}\n'), /not a Doorstep backup/);
      await assertRefused(Buffer.from('plain text'), /cut off or damaged/);
    });
  });
});
