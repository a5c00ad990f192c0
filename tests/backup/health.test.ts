import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { loggedIn, makeApp, agent } from '../helpers/app.ts';
import { freshDemo } from '../helpers/data.ts';
import { BackupRun } from '../../models/backup-run.ts';
import { AuditEntry } from '../../models/audit-entry.ts';
import { LedgerEntry } from '../../models/ledger-entry.ts';
import {
  backupFileName,
  chooseKept,
  listBackups,
  nightlyTick,
  pruneBackups,
  runBackup,
  type BackupFile,
  type BackupSettings,
} from '../../server/backup/service.ts';

const run = promisify(execFile);
const DAY = 86_400_000;

describe('backup health, schedule and retention', function () {
  this.timeout(120_000);
  let dir: string;
  let settings: BackupSettings;

  before(async () => {
    await freshDemo();
  });
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'doorstep-backups-'));
    settings = { dir, nightly: true, hour: 3, keepDaily: 7, keepWeekly: 4 };
    await BackupRun.deleteMany({});
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  const adminHome = async (lang = 'en') => {
    const ag = await loggedIn('13800000000', makeApp({ BACKUP_DIR: dir }).app);
    return (await ag.get(`/admin?lang=${lang}`)).text;
  };

  it('the admin page warns in red when the newest backup is older than 48 hours, and is calm after a fresh one', async () => {
    await runBackup(settings, { trigger: 'cli' });
    const [fresh] = await listBackups(dir);
    const old = path.join(dir, backupFileName(new Date(Date.now() - 3 * DAY)));
    await fsp.rename(fresh!.path, old);
    const stale = await adminHome();
    assert.match(stale, /class="flash flash-error" role="alert"><strong>Warning:<\/strong> The newest backup is more than 48 hours old/);
    assert.ok(stale.includes(old), 'says where the newest is');

    await runBackup(settings, { trigger: 'cli' });
    const ok = await adminHome('zh-CN');
    assert.doesNotMatch(ok, /flash-error/);
    assert.match(ok, /最近一次备份/);
  });

  it('a failed nightly backup is logged, recorded, audited as the system and shown in red; the next tick tries again', async () => {
    const blocker = path.join(dir, 'not-a-directory');
    await fsp.writeFile(blocker, 'x');
    const broken = { ...settings, dir: path.join(blocker, 'backups') };
    const night = new Date('2026-11-30T20:00:00Z'); // 04:00 in the center's time zone
    const errors: unknown[] = [];
    const logger = { error: (o: unknown) => errors.push(o), info: () => {}, warn: () => {} } as never;
    await assert.rejects(nightlyTick(broken, logger, night));
    assert.equal(errors.length, 1, 'logged');
    const runs = await BackupRun.find().lean();
    assert.deepEqual(
      runs.map((r) => [r._id, r.ok]),
      [['nightly:2026-12-01:1', false]],
    );
    assert.ok(runs[0]!.error);
    const entry = await AuditEntry.findOne({ action: 'backup.failed' }).sort({ at: -1 }).lean();
    assert.equal(entry?.actorRole, 'system');

    const page = await adminHome();
    assert.match(page, /Warning:<\/strong> The last backup failed/);
    const auditPage = await (await loggedIn('13800000000')).get('/admin/audit?kind=backup.failed&lang=en');
    assert.match(auditPage.text, />system<\/a> <small>System<\/small>/);
    assert.match(auditPage.text, /Backup failed<\/span> a backup into \S+ failed/);

    // The same night: a second attempt with a working directory succeeds, and that is the last.
    assert.equal(await nightlyTick(settings, undefined, new Date(night.getTime() + 600_000)), true);
    assert.equal(await nightlyTick(settings, undefined, new Date(night.getTime() + 1_200_000)), false);
    assert.deepEqual(
      (await BackupRun.find().sort({ _id: 1 }).lean()).map((r) => [r._id, r.ok]),
      [
        ['nightly:2026-12-01:1', false],
        ['nightly:2026-12-01:2', true],
      ],
    );
    assert.doesNotMatch(await adminHome(), /flash-error/);
  });

  it('nightly: nothing before the hour; two nodes ticking at once take one backup', async () => {
    assert.equal(await nightlyTick(settings, undefined, new Date('2026-11-30T18:00:00Z')), false); // 02:00 there
    const at = new Date('2026-11-30T19:30:00Z');
    const results = await Promise.all([nightlyTick(settings, undefined, at), nightlyTick(settings, undefined, at)]);
    assert.deepEqual(results.sort(), [false, true]);
    assert.equal((await listBackups(dir)).length, 1);
  });

  it('retention keeps the last day, 7 daily and 4 weekly backups, and clears old temp files', async () => {
    const now = new Date('2026-12-01T04:00:00Z');
    const files: BackupFile[] = [];
    for (let d = 0; d < 60; d += 1) {
      for (const h of [0, 8]) {
        const at = new Date(now.getTime() - d * DAY - h * 3600_000);
        files.push({ name: backupFileName(at), path: '', at, size: 1 });
      }
    }
    files.sort((a, b) => b.at.getTime() - a.at.getTime());
    const kept = chooseKept(files, 7, 4, now);
    const keptFiles = files.filter((f) => kept.has(f.name));
    assert.ok(
      keptFiles.every((f) => now.getTime() - f.at.getTime() < 35 * DAY),
      'nothing older than about 4 weeks',
    );
    assert.equal(keptFiles.filter((f) => now.getTime() - f.at.getTime() < DAY).length, 2, 'the last 24 hours stay whole');
    assert.ok(keptFiles.length >= 9 && keptFiles.length <= 13, `kept ${keptFiles.length}`);

    // On disk: 10 old ones plus a crash's temp file.
    for (let d = 1; d <= 10; d += 1) await fsp.writeFile(path.join(dir, backupFileName(new Date(now.getTime() - d * 7 * DAY))), 'x');
    const tmp = path.join(dir, `${backupFileName(now)}.123.tmp`);
    await fsp.writeFile(tmp, 'half');
    await fsp.utimes(tmp, new Date(now.getTime() - 2 * DAY), new Date(now.getTime() - 2 * DAY));
    const removed = await pruneBackups({ ...settings, keepDaily: 2 }, now);
    assert.equal(removed.length, 6);
    assert.equal((await listBackups(dir)).length, 4);
    await assert.rejects(fsp.stat(tmp));
  });

  it('only admins can start a backup, and only with a CSRF token', async () => {
    const staff = await loggedIn('13800000001', makeApp({ BACKUP_DIR: dir }).app);
    const page = await staff.get('/');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    assert.equal((await staff.post('/admin/backup').type('form').send({ _csrf: token })).status, 403);
    assert.ok(
      [401, 403].includes(
        (
          await agent(makeApp({ BACKUP_DIR: dir }).app)
            .post('/admin/backup')
            .type('form')
            .send({})
        ).status,
      ),
    );
    assert.equal((await listBackups(dir)).length, 0);
  });

  it('npm run backup and npm run restore work from the command line and explain a refusal', async function () {
    this.timeout(180_000);
    const uri = `mongodb://${mongoose.connection.host}:${mongoose.connection.port}/${mongoose.connection.db!.databaseName}`;
    const env = { ...process.env, MONGODB_URI: uri, BACKUP_DIR: dir, LOG_LEVEL: 'silent' };
    const node = process.execPath;
    const out = await run(node, ['server/backup/cli.ts', 'backup'], { env });
    assert.match(out.stdout, /backup written: .*\.ndjson\.gz/);
    const [file] = await listBackups(dir);
    assert.ok(file);
    const ledgerCount = await LedgerEntry.countDocuments();
    const refused = await run(node, ['server/backup/cli.ts', 'restore', file.path], { env }).then(
      () => assert.fail('restore into a full database must fail'),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refused: the database is not empty .* Nothing was changed\./);
    const replaced = await run(node, ['server/backup/cli.ts', 'restore', file.path, '--replace'], { env });
    assert.match(replaced.stdout, /ledgerentries\s+\d+/);
    assert.match(replaced.stdout, /restored \d+ documents/);
    assert.equal(await LedgerEntry.countDocuments(), ledgerCount);
  });
});
