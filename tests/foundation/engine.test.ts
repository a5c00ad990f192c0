import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine, defaultCacheDir, NoEngineError } from '../../server/db/engine.ts';
import { patchFerretDB } from '../../server/db/ferretdb-build.ts';
import { engineKind } from '../setup.ts';

const alive = (pid: number | undefined) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('embedded database launcher', function () {
  this.timeout(120_000);

  it('starts an engine with data in the given directory and leaves no child after stop', async function () {
    if (engineKind() === 'external') this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doorstep-engine-test-'));
    const engine = await startEngine({ dataDir: dir, cacheDir: defaultCacheDir(), dbName: 'probe' });
    try {
      assert.ok(['mongod', 'ferretdb', 'memory-server'].includes(engine.kind));
      assert.match(engine.uri, /^mongodb:\/\/127\.0\.0\.1:\d+\/probe$/);
      assert.equal(engine.dataDir, path.join(dir, 'db'));
      if (engine.pid) assert.ok(alive(engine.pid));
    } finally {
      await engine.stop();
    }
    if (engine.pid) assert.equal(alive(engine.pid), false, 'the engine process is gone');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uses MONGODB_URI as is when given', async () => {
    const engine = await startEngine({ mongodbUri: 'mongodb://db.example:27017/x', dataDir: 'unused', cacheDir: 'unused', dbName: 'x' });
    assert.equal(engine.kind, 'external');
    assert.equal(engine.uri, 'mongodb://db.example:27017/x');
  });

  it('fails with a message listing the ways out when nothing can start', async () => {
    await assert.rejects(
      startEngine({ dataDir: os.tmpdir(), ephemeral: true, cacheDir: '/nonexistent-cache', dbName: 'x', pathEnv: '', skip: ['memory-server'] }),
      (err: Error) =>
        err instanceof NoEngineError && /MONGODB_URI/.test(err.message) && /FERRETDB_PATH/.test(err.message) && /mongod: not found/.test(err.message),
    );
  });

  it('reaps an engine left behind by a crashed run on the same data directory', async function () {
    if (engineKind() === 'external') this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doorstep-engine-test-'));
    const first = await startEngine({ dataDir: dir, cacheDir: defaultCacheDir(), dbName: 'probe' });
    if (!first.pid) {
      await first.stop();
      this.skip();
    }
    // Simulate a crash: forget the first engine without stopping it, start again on the same dir.
    const second = await startEngine({ dataDir: dir, cacheDir: defaultCacheDir(), dbName: 'probe' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(alive(first.pid), false, 'the orphan was stopped');
    await second.stop();
    await first.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('FerretDB build patch', () => {
  it('makes _id lookups use the _id index expression, pushes _id equality and ranges down; refuses a source it does not fit', async () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-src-'));
    const file = path.join(src, 'internal/backends/sqlite/metadata/metadata.go');
    const coll = path.join(src, 'internal/backends/sqlite/collection.go');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `const (\n\tIDColumn = DefaultColumn + "->'$._id'"\n)\n`);
    // The two places of FerretDB 1.24.2's collection.go the patch edits, as they read there.
    const equality =
      '\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\t}\n\t}\n\n';
    const query = `func Query() {\n\tif params.Filter.Len() == 1 {\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n${equality}\tq += whereClause\n}\n`;
    const explain = `func Explain() {\n\tif params.Filter.Len() == 1 {\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\tfilterPushdown = true\n${equality}\torderByClause := x\n}\n`;
    fs.writeFileSync(coll, query + explain);
    await patchFerretDB(src);
    assert.equal(fs.readFileSync(file, 'utf8'), 'const (\n\tIDColumn = DefaultColumn + `->"_id"`\n)\n');
    const patched = fs.readFileSync(coll, 'utf8');
    assert.equal(patched.split('if params.Filter.Len() >= 1 {').length - 1, 2);
    assert.equal(patched.split('case *types.Document:\n\t\t\twhereClause, args = idRangeWhere(v.(*types.Document))').length - 1, 2);
    assert.match(patched, /idRangeWhere\(v\.\(\*types\.Document\)\)\n\t\t\tfilterPushdown = whereClause != ""\n\t\t}\n\t}\n\n\torderByClause/);
    assert.match(
      fs.readFileSync(path.join(src, 'internal/backends/sqlite/doorstep_id_range.go'), 'utf8'),
      /^func idRangeWhere\(d \*types\.Document\) \(string, \[\]any\) \{$/m,
    );
    await assert.rejects(patchFerretDB(src), /FerretDB source changed/);
    fs.rmSync(src, { recursive: true, force: true });
  });
});
