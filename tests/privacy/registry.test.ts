import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import mongoose, { type Schema } from 'mongoose';
import { PERSONAL_DATA } from '../../server/privacy/registry.ts';
import { translator } from '../../server/i18n/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: a schema of any model
type AnySchema = Schema<any>;

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Every path of a schema (sub-documents included) that holds a user's id. */
function userRefPaths(schema: AnySchema, prefix = ''): string[] {
  const out: string[] = [];
  schema.eachPath((p, type) => {
    const t = type as unknown as { options?: { ref?: string }; caster?: { options?: { ref?: string } }; schema?: Schema };
    if (t.options?.ref === 'User' || t.caster?.options?.ref === 'User') out.push(prefix + p);
    if (t.schema) out.push(...userRefPaths(t.schema, `${prefix}${p}.`));
  });
  return out;
}

describe('privacy: every collection that references a person declares its export and erasure', () => {
  before(async () => {
    // Every model file, so a collection no route has loaded yet is still checked.
    for (const f of fs.readdirSync(path.join(ROOT, 'models')).filter((x) => x.endsWith('.ts'))) await import(path.join(ROOT, 'models', f));
  });

  it('has a declaration covering each user-referencing path of every model', () => {
    const declared = new Map(PERSONAL_DATA.map((d) => [d.model, d]));
    const missing: string[] = [];
    for (const name of mongoose.modelNames()) {
      const refs = userRefPaths(mongoose.model(name).schema as AnySchema);
      if (!refs.length) continue;
      const d = declared.get(name);
      if (!d) missing.push(`${name} (${refs.join(', ')}): no declaration`);
      else for (const p of refs) if (!d.userPaths.includes(p)) missing.push(`${name}.${p}: not in userPaths`);
    }
    assert.deepEqual(missing, [], 'declare these in the capability’s personal-data.ts (server/privacy/registry.ts)');
    assert.ok(mongoose.modelNames().length >= 20, 'the models were loaded');
  });

  it('names every exported section and what happens to it, in both languages', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const t = translator(lang);
      for (const d of PERSONAL_DATA) {
        if (d.section) assert.notEqual(t(`privacy.sections.${d.section}`), `privacy.sections.${d.section}`, `${lang}: section ${d.section}`);
        if (d.kept) assert.notEqual(t(`privacy.kept.${d.kept}`), `privacy.kept.${d.kept}`, `${lang}: kept ${d.kept}`);
      }
    }
  });
});
