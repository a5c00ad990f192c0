import { Types } from 'mongoose';
import { AuditEntry } from '../../models/audit-entry.ts';

export interface AuditInput {
  action: string;
  targetType: string;
  targetId: string;
  center?: string | null;
  details?: Record<string, string | number | boolean | null | undefined>;
}

/** Records a staff or admin decision. Called by services right after the decision is stored. */
export async function audit(actor: Express.User, input: AuditInput): Promise<void> {
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.details ?? {})) if (v !== undefined && v !== null) details[k] = String(v).slice(0, 500);
  await AuditEntry.create({
    actor: actor.id,
    actorName: actor.name,
    actorRole: actor.role,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    center: input.center ?? null,
    details,
  });
}

export interface AuditFilter {
  page: number;
  perPage: number;
  /** Only these actions (a kind: one action or a whole area). */
  actions?: string[] | null;
  /** Entries this person did, or that were done to them. */
  person?: string | null;
}

export async function listAudit(opts: AuditFilter) {
  const filter: Record<string, unknown> = {};
  if (opts.actions) filter.action = opts.actions.length === 1 ? opts.actions[0] : { $in: opts.actions };
  if (opts.person) filter.$or = [{ actor: new Types.ObjectId(opts.person) }, { targetType: 'user', targetId: opts.person }];
  const [items, total] = await Promise.all([
    AuditEntry.find(filter)
      .sort({ at: -1 })
      .skip((opts.page - 1) * opts.perPage)
      .limit(opts.perPage)
      .lean(),
    AuditEntry.countDocuments(filter),
  ]);
  return { items, total };
}
