import { Router, type Request, type Response } from 'express';
import type { RouteDeps } from '../http/deps.ts';
import { requireRole } from '../http/guards.ts';
import { flash } from '../http/flash.ts';
import { backupSettings, currentBackup, runBackup } from './service.ts';

/** "Back up now" on the admin home. The backup runs on after the redirect; the panel shows it. */
export function backupRoutes(deps: RouteDeps): Router {
  const r = Router();
  const settings = backupSettings(deps.config);

  r.post('/admin/backup', requireRole('admin'), function startBackup(req: Request, res: Response) {
    if (currentBackup()) {
      flash(req, 'error', 'backup.busy');
      return res.redirect('/admin');
    }
    // Failures are logged, recorded and audited by runBackup; the admin page turns red.
    runBackup(settings, { trigger: 'manual', actor: req.user!, logger: deps.logger }).catch(() => {});
    flash(req, 'success', 'backup.started');
    res.redirect('/admin');
  });

  return r;
}
