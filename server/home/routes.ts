import { Router } from 'express';
import mongoose from 'mongoose';
import { requireRole } from '../http/guards.ts';
import { ELDER_COOKIE } from '../http/locale.ts';
import { safeReturnTo } from '../lib/safe-redirect.ts';
import { centerName, getCenter } from '../centers/tree.ts';
import { TILES } from '../http/menus.ts';
import { homePage } from './view.ts';
import { myAlerts } from '../alerts/service.ts';
import { alertsSection } from '../alerts/view.ts';

/** Cheap routes mounted before sessions, for load balancers and orchestration. */
export function healthRoutes(): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptime: Math.round(process.uptime()) });
  });
  r.get('/readyz', async (_req, res) => {
    try {
      if (mongoose.connection.readyState !== 1) throw new Error('not connected');
      await mongoose.connection.db!.admin().ping();
      res.json({ status: 'ready', database: 'up' });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'down' });
    }
  });
  return r;
}

export function homeRoutes(): Router {
  const r = Router();

  r.get('/', async function home(req, res) {
    res.render('home/index', { title: req.t('home.title'), noTitleSuffix: true, tiles: TILES.home, ...(await homePage(req)) });
  });

  // A display preference, not an account change, so a plain link works without JavaScript or a form.
  r.get('/prefs/elder', (req, res) => {
    const on = req.query.on === '1';
    res.cookie(ELDER_COOKIE, on ? '1' : '0', { maxAge: 365 * 24 * 3600 * 1000, sameSite: 'lax', httpOnly: true });
    res.redirect(safeReturnTo(req.query.returnTo, '/'));
  });

  r.get('/me', requireRole('resident', 'employer'), async (req, res) => {
    const center = await getCenter(req.user!.homeCenter);
    const jobAlerts = req.user!.role === 'resident' ? await alertsSection(req, await myAlerts(req.user!.id)) : null;
    // The header bell counts new messages (e.g. a job alert) live on the resident's own page.
    res.render('home/me', {
      title: req.t('home.me.title'),
      jobAlerts,
      scripts: jobAlerts ? ['/socket.io/socket.io.js'] : [],
      centerName: centerName(center, req.lang),
      centerId: center?.id,
      centerHours: center?.hours,
      centerPhone: center?.phone,
      tiles: req.user!.role === 'employer' ? TILES.employer : TILES.resident,
    });
  });

  r.get('/staff', requireRole('staff', 'admin'), async (req, res) => {
    const center = await getCenter(req.user!.staffCenter ?? req.user!.homeCenter);
    res.render('home/staff', { title: req.t('home.staff.title'), centerName: centerName(center, req.lang), centerId: center?.id, tiles: TILES.staff });
  });

  return r;
}
