// Builds our FerretDB from the Go module proxy, with the patches to its SQLite backend that let
// key-addressed reads use the `_id` index (docs/ARCHITECTURE.md, "The database engine").
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const run = promisify(execFile);

export const FERRETDB_VERSION = 'v1.24.2';
export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
/** The cached binary's name: the version plus our patches (see patchFerretDB). */
export const FERRETDB_BINARY = `ferretdb-${FERRETDB_VERSION}-id-range`;

/**
 * Three patches to FerretDB 1.24's SQLite backend, each refused when the source does not fit:
 *
 * 1. The `_id` index. A lone `_id` equality is pushed down as `WHERE _ferretdb_sjson->'$._id' = ?`,
 *    but the `_id` index is created on `_ferretdb_sjson->"_id"`; SQLite uses an expression index
 *    only for the identical expression, so every `_id` lookup read the whole table (84 ms per
 *    findOne, 232 ms per `$inc` upsert at 50,000 documents; 0.7 ms with the same expression).
 * 2. `_id` with other conditions. Only a filter that is exactly `{_id}` was pushed down, so a
 *    guarded write such as `updateOne({ _id, status: 'pending' })` read the whole collection.
 *    Now any filter with a top-level string or ObjectId `_id` narrows the SQL to that document.
 * 3. `_id` ranges. `_id: { $gte: ObjectId, $lt: ObjectId }` (any of $gt, $gte, $lt, $lte, all
 *    with ObjectIds) becomes a range on the same index, so "the records created since a day"
 *    reads those records, not the years before them (an ObjectId starts with its creation
 *    second). The stored form of an ObjectId is its 24 lowercase hex digits in quotes, whose text
 *    order is the ObjectIds' order; other `_id` types (numbers, strings, documents) may fall
 *    inside the SQL range, never an ObjectId outside it.
 * Safe because every handler (find, count, distinct, update, delete, findAndModify, aggregate's
 * $match) filters the fetched documents again with the whole filter in Go: the SQL only has to
 * keep every document that matches, and a top-level `_id` condition is ANDed with the rest.
 */
const ID_RANGE_GO = `package sqlite

import (
\t"fmt"
\t"strings"

\t"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
\t"github.com/FerretDB/FerretDB/internal/handler/sjson"
\t"github.com/FerretDB/FerretDB/internal/types"
\t"github.com/FerretDB/FerretDB/internal/util/must"
)

// idRangeWhere is Doorstep's patch: _id compared with ObjectIds by $gt, $gte, $lt or $lte, as a
// range on the _id index; "" (no pushdown) for anything else.
func idRangeWhere(d *types.Document) (string, []any) {
\tops := map[string]string{"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
\tvar conds []string
\tvar args []any
\tfor _, k := range d.Keys() {
\t\top, ok := ops[k]
\t\tif !ok {
\t\t\treturn "", nil
\t\t}
\t\tid, ok := must.NotFail(d.Get(k)).(types.ObjectID)
\t\tif !ok {
\t\t\treturn "", nil
\t\t}
\t\tconds = append(conds, fmt.Sprintf("%s %s ?", metadata.IDColumn, op))
\t\targs = append(args, string(must.NotFail(sjson.MarshalSingleValue(id))))
\t}
\tif len(conds) == 0 {
\t\treturn "", nil
\t}
\treturn " WHERE " + strings.Join(conds, " AND "), args
}
`;

export async function patchFerretDB(srcDir: string): Promise<void> {
  // The end of the `_id` equality case in Query and in Explain; a range case goes after it.
  const equality =
    '\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n';
  const close = '\t\t}\n\t}\n\n';
  const range = '\t\tcase *types.Document:\n\t\t\twhereClause, args = idRangeWhere(v.(*types.Document))\n';
  const pushed = '\t\t\tfilterPushdown = whereClause != ""\n';
  const edits: [string, string, string, number][] = [
    ['internal/backends/sqlite/metadata/metadata.go', `IDColumn = DefaultColumn + "->'$._id'"`, 'IDColumn = DefaultColumn + `->"_id"`', 1],
    ['internal/backends/sqlite/collection.go', 'if params.Filter.Len() == 1 {', 'if params.Filter.Len() >= 1 {', 2],
    ['internal/backends/sqlite/collection.go', `${equality}${close}\tq += whereClause`, `${equality}${range}${close}\tq += whereClause`, 1],
    // Explain also says whether the filter was pushed down.
    ['internal/backends/sqlite/collection.go', `${equality}${close}\torderByClause :=`, `${equality}${range}${pushed}${close}\torderByClause :=`, 1],
  ];
  for (const [rel, before, after, times] of edits) {
    const file = path.join(srcDir, rel);
    const source = await fsp.readFile(file, 'utf8');
    if (source.split(before).length - 1 !== times) throw new Error(`FerretDB source changed: ${file} has not ${times}× ${before}`);
    await fsp.writeFile(file, source.replaceAll(before, after));
  }
  await fsp.writeFile(path.join(srcDir, 'internal/backends/sqlite/doorstep_id_range.go'), ID_RANGE_GO);
}

/**
 * Builds FerretDB into the cache. `go install …@version` alone produces a binary that
 * panics at start (the module lacks the generated build/version/version.txt), so the
 * module source is copied, the version file written, and the copy built.
 */
export async function buildFerretDB(cacheDir: string, log: (m: string) => void, goBin = 'go'): Promise<string> {
  const target = path.join(cacheDir, 'bin', FERRETDB_BINARY);
  log(`building FerretDB ${FERRETDB_VERSION} with Go into ${target} (first run only; takes a few minutes)…`);
  const started = Date.now();
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  const { stdout } = await run(goBin, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
    env,
    maxBuffer: 1 << 24,
  });
  const srcDir = (JSON.parse(stdout) as { Dir: string }).Dir;
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'ferretdb-src-'));
  try {
    await fsp.cp(srcDir, work, { recursive: true });
    await run('chmod', ['-R', 'u+w', work]);
    await fsp.writeFile(path.join(work, 'build/version/version.txt'), `${FERRETDB_VERSION}\n`);
    await patchFerretDB(work);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const tmpTarget = `${target}.${process.pid}.tmp`;
    await run(goBin, ['build', '-trimpath', '-o', tmpTarget, './cmd/ferretdb'], { cwd: work, env, maxBuffer: 1 << 24 });
    await fsp.rename(tmpTarget, target);
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
  log(`FerretDB built in ${Math.round((Date.now() - started) / 1000)} s`);
  return target;
}
