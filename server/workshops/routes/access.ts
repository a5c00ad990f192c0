import type { Request } from 'express';
import { requireRole, assertCenterScope } from '../../http/guards.ts';
import * as shops from '../service.ts';
import type { Workshop } from '../view.ts';

export const staff = requireRole('staff', 'admin');

/** Staff whose scope covers the workshop, or its lead. */
export async function staffWorkshop(req: Request): Promise<Workshop> {
  const w = await shops.getWorkshop(String(req.params.id));
  if (!shops.isLead(req.user, w)) await assertCenterScope(req, String(w.center));
  return w;
}
