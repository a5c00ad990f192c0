import type { Request } from 'express';
import type { AuditEntryDoc } from '../../models/audit-entry.ts';
import { User } from '../../models/user.ts';
import { Course } from '../../models/course.ts';
import { Posting } from '../../models/posting.ts';
import { Task } from '../../models/task.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { findWorkshop } from '../workshops/service.ts';
import { centerName, getCenter } from '../centers/tree.ts';
import { formatDate, formatMoney } from '../lib/format.ts';
import { isObjectId } from '../lib/ids.ts';
import { ALL_ACTIONS, AUDIT_AREAS, actionKey } from './kinds.ts';

const MONEY_FIELDS = new Set(['from', 'to', 'rateFen', 'amountFen']);

/**
 * Names for the ids an audit page mentions, each read once per page by `_id` (the one query
 * FerretDB serves without a scan). Entries keep ids, not names, for records that can be renamed.
 */
function nameReader() {
  const memo = new Map<string, Promise<string>>();
  const once = (key: string, load: () => Promise<string | null | undefined>) => {
    let p = memo.get(key);
    if (!p)
      memo.set(
        key,
        (p = load().then(
          (v) => v ?? '',
          () => '',
        )),
      );
    return p;
  };
  return {
    user: (id: string) => (isObjectId(id) ? once(`u${id}`, async () => (await User.findById(id, { name: 1 }).lean())?.name) : Promise.resolve('')),
    workshop: (id: string) => (isObjectId(id) ? once(`w${id}`, async () => (await findWorkshop(id))?.name) : Promise.resolve('')),
    course: (id: string) => (isObjectId(id) ? once(`c${id}`, async () => (await Course.findById(id, { title: 1 }).lean())?.title) : Promise.resolve('')),
    posting: (id: string) => (isObjectId(id) ? once(`p${id}`, async () => (await Posting.findById(id, { title: 1 }).lean())?.title) : Promise.resolve('')),
    task: (id: string) => (isObjectId(id) ? once(`t${id}`, async () => (await Task.findById(id, { name: 1 }).lean())?.name) : Promise.resolve('')),
    enrolment: (id: string) =>
      isObjectId(id)
        ? once(`e${id}`, async () => {
            const e = await Enrolment.findById(id, { residentName: 1, courseTitle: 1 }).lean();
            return e ? `${e.residentName} · ${e.courseTitle}` : '';
          })
        : Promise.resolve(''),
  };
}

type Names = ReturnType<typeof nameReader>;
type Lean = Pick<AuditEntryDoc, 'at' | 'actor' | 'actorName' | 'actorRole' | 'action' | 'targetType' | 'targetId' | 'center'> & { details?: unknown };

/** Who or what an entry is about, in words. */
async function targetOf(req: Request, e: Lean, d: Record<string, string>, names: Names): Promise<string> {
  switch (e.targetType) {
    case 'user':
      return names.user(e.targetId);
    case 'center':
      return centerName(await getCenter(e.targetId), req.lang) || d.name || '';
    case 'workshop':
      return names.workshop(e.targetId);
    case 'course':
      return d.title || (await names.course(e.targetId));
    case 'posting':
      return d.title || (await names.posting(e.targetId));
    case 'employer':
      return d.name ?? '';
    case 'task':
      return d.name || (await names.task(e.targetId));
    case 'enrolment':
      return d.resident && d.course ? `${d.resident} · ${d.course}` : names.enrolment(e.targetId);
    case 'backup':
      return e.targetId; // the backup file's name or the directory it was written to
    default:
      return '';
  }
}

/** The entry's details made readable: ids become names, fen become money, true/false become words. */
async function readableDetails(req: Request, e: Lean, d: Record<string, string>, names: Names): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d)) {
    if (v === 'true' || v === 'false') out[k] = req.t(`audit.${v === 'true' ? 'yes' : 'no'}`);
    else if (MONEY_FIELDS.has(k) && /^-?\d+$/.test(v)) out[k] = formatMoney(Number(v), req.lang);
    else if (k === 'workshop') out[k] = (await names.workshop(v)) || v;
    else if ((k === 'resident' || k === 'worker') && isObjectId(v)) out[k] = (await names.user(v)) || v;
    else if (k === 'posting' && isObjectId(v)) out[k] = (await names.posting(v)) || v;
    else if (k === 'role') out[k] = req.t(`roles.${v}`);
    else if (k === 'status' && e.action === 'course.walkIn') out[k] = req.t(`courses.enrolment.${v}`);
    else out[k] = v;
  }
  out.center = centerName(await getCenter(e.center ? String(e.center) : ''), req.lang);
  return out;
}

/** The sentence for an entry; a detail an older entry lacks reads as a dash, not as `{{name}}`. */
function sentence(req: Request, key: string, params: Record<string, string>): string {
  const filled = { ...params };
  for (const m of req.t(key).matchAll(/\{\{(\w+)\}\}/g)) if (!filled[m[1]!]) filled[m[1]!] = '—';
  return req.t(key, filled);
}

export interface AuditRow {
  at: string;
  actorId: string;
  actor: string;
  role: string;
  kind: string;
  sentence: string;
  center: string;
}

/** Audit entries as rows of words: who, when, and what they did to whom. */
export async function auditRows(req: Request, entries: Lean[]): Promise<AuditRow[]> {
  const names = nameReader();
  return Promise.all(
    entries.map(async (e) => {
      const raw = Object.fromEntries(Object.entries((e.details ?? {}) as Record<string, string>).map(([k, v]) => [k, String(v)]));
      const known = ALL_ACTIONS.includes(e.action);
      const params: Record<string, string> = { ...(await readableDetails(req, e, raw, names)), target: await targetOf(req, e, raw, names) };
      return {
        at: formatDate(e.at, req.lang, 'datetime'),
        actorId: String(e.actor),
        actor: e.actorName,
        role: req.t(`roles.${e.actorRole}`),
        kind: known ? req.t(`audit.kinds.${actionKey(e.action)}`) : e.action,
        // An action recorded before it had words: show it plainly rather than hide it.
        sentence: known
          ? sentence(req, `audit.actions.${actionKey(e.action)}`, params)
          : Object.entries(raw)
              .map(([k, v]) => `${k}: ${v}`)
              .join('; '),
        center: params.center ?? '',
      };
    }),
  );
}

/** The kind filter's options: each area, then its actions, in readable words. */
export function kindOptions(req: Request): { value: string; label: string }[] {
  return Object.entries(AUDIT_AREAS).flatMap(([area, actions]) => [
    { value: area, label: req.t(`audit.areas.${area}`) },
    ...actions.map((a) => ({ value: a, label: `\u3000${req.t(`audit.kinds.${actionKey(a)}`)}` })),
  ]);
}
