import mongoose, { Types } from 'mongoose';

// How a capability says what personal data one of its collections holds about a person: how to
// export it (the person's documents, in readable form) and how to erase it (delete, anonymise,
// or keep with the reason). server/privacy/registry.ts lists every declaration; a test walks
// every mongoose model and fails when one that references users has none, so a new collection
// cannot forget the person's rights.

export interface ErasureContext {
  userId: Types.ObjectId;
  id: string;
  role: 'resident' | 'employer';
  /** What replaces the name in records that must stay, e.g. "已注销居民 #A3F09C". */
  alias: string;
  /** The name and phone before erasure (the user document is erased last). */
  name: string;
  phone: string;
}

export type ExportRecord = Record<string, unknown>;

export interface PersonalData {
  /** The mongoose model name (or, for a raw collection, its name). */
  model: string;
  /** i18n key under `privacy.sections.` naming the section in the export. */
  section: string;
  /** Every path in the model that holds a user's id (the registry test checks this list). */
  userPaths: readonly string[];
  /** Why what stays, stays — under `privacy.kept.` (shown on the notice and in the export). */
  kept?: string;
  export(userId: Types.ObjectId): Promise<ExportRecord[]>;
  erase(ctx: ErasureContext): Promise<void>;
}

/** A plain copy for the export: ids as strings, dates as ISO text, maps as objects. */
export function plain(v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Types.ObjectId) return String(v);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export function pick(doc: Record<string, unknown>, fields: readonly string[]): ExportRecord {
  const out: ExportRecord = {};
  for (const f of fields) if (f in doc) out[f] = plain(doc[f]);
  return out;
}

type Erase = 'delete' | 'keep' | ((ctx: ErasureContext) => Record<string, unknown>);

/**
 * The common case: the person's documents are those whose `subject` path holds their id; the
 * export shows `fields`; erasure deletes them, keeps them, or sets fields (names become the alias,
 * phones and free text are emptied). Erasing twice gives the same result (the job may resume).
 */
export function ownedBy(
  model: string,
  opts: { subject: string; userPaths?: readonly string[]; section: string; fields: readonly string[]; erase: Erase; kept?: string },
): PersonalData {
  const M = () => mongoose.model(model);
  return {
    model,
    section: opts.section,
    userPaths: opts.userPaths ?? [opts.subject],
    kept: opts.kept,
    async export(userId) {
      const docs = await M()
        .find({ [opts.subject]: userId })
        .lean();
      return docs.map((d) => pick(d as Record<string, unknown>, opts.fields));
    },
    async erase(ctx) {
      if (opts.erase === 'keep') return;
      if (opts.erase === 'delete') await M().deleteMany({ [opts.subject]: ctx.userId });
      else await M().updateMany({ [opts.subject]: ctx.userId }, { $set: opts.erase(ctx) });
    },
  };
}

/** Paths that only ever hold a staff member's id (who did something): nothing of a resident's. */
export function staffOnly(model: string, userPaths: readonly string[]): PersonalData {
  return { model, section: '', userPaths, kept: 'staffRecord', export: async () => [], erase: async () => {} };
}
