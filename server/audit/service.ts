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

export async function listAudit(opts: { page: number; perPage: number; action?: string }) {
  const filter = opts.action ? { action: opts.action } : {};
  const [items, total] = await Promise.all([
    AuditEntry.find(filter).sort({ at: -1 }).skip((opts.page - 1) * opts.perPage).limit(opts.perPage).lean(),
    AuditEntry.countDocuments(filter),
  ]);
  return { items, total };
}
