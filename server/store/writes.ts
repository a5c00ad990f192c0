import mongoose from 'mongoose';

// Which collections changed on this node, told to the caches that depend on them. Watched at
// the one place every mongoose write passes (query exec, document save, insertMany,
// bulkWrite), so models need no hooks and a write added anywhere later still drops what it
// must. Writes through `Model.collection` (the raw driver) are not seen: callers drop those
// caches themselves.
const WRITE_OPS = new Set(['updateOne', 'updateMany', 'findOneAndUpdate', 'findOneAndDelete', 'findOneAndReplace', 'replaceOne', 'deleteOne', 'deleteMany']);

const listeners = new Map<string, (() => void)[]>();

/** Calls `listener` after every write (even a failed one: it may have landed) through the model named `modelName`. */
export function onModelWrite(modelName: string, listener: () => void): void {
  install();
  const list = listeners.get(modelName) ?? [];
  list.push(listener);
  listeners.set(modelName, list);
}

function written(modelName: string | undefined): void {
  for (const l of (modelName && listeners.get(modelName)) || []) l();
}

function after<T>(modelName: string | undefined, result: Promise<T>): Promise<T> {
  return result.then(
    (v) => {
      written(modelName);
      return v;
    },
    (err: unknown) => {
      written(modelName);
      throw err;
    },
  );
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  type Fn<This> = (this: This, ...args: unknown[]) => Promise<unknown>;
  type QueryLike = { op?: string; model?: { modelName?: string } };
  const query = mongoose.Query.prototype as unknown as { exec: Fn<QueryLike> };
  const exec = query.exec;
  query.exec = function (this: QueryLike, ...args: unknown[]) {
    const op = (typeof args[0] === 'string' ? args[0] : undefined) ?? this.op ?? '';
    const run = exec.apply(this, args);
    return WRITE_OPS.has(op) ? after(this.model?.modelName, run) : run;
  };
  // `create` calls `$save`, an alias of `save`: both are wrapped.
  type DocLike = { constructor: { modelName?: string } };
  const proto = mongoose.Model.prototype as unknown as { save: Fn<DocLike>; $save: Fn<DocLike> };
  const save = proto.save;
  proto.save = proto.$save = function (this: DocLike, ...args: unknown[]) {
    return after(this.constructor.modelName, save.apply(this, args));
  };
  type ModelLike = { modelName?: string };
  const statics = mongoose.Model as unknown as { insertMany: Fn<ModelLike>; bulkWrite: Fn<ModelLike> };
  for (const name of ['insertMany', 'bulkWrite'] as const) {
    const original = statics[name];
    statics[name] = function (this: ModelLike, ...args: unknown[]) {
      return after(this.modelName, original.apply(this, args));
    };
  }
}
