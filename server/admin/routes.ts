import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireRole } from '../http/guards.ts';
import { TILES } from '../http/menus.ts';
import { validate, formOf, type FormState, refusedForm } from '../http/validate.ts';
import { flash } from '../http/flash.ts';
import { HttpError } from '../http/errors.ts';
import { centerName, centerOptions, getCenter } from '../centers/tree.ts';
import { createStaffSchema, objectId } from '../accounts/schemas.ts';
import { createStaff, listStaff, setStaffCenter } from '../accounts/service.ts';
import { adminAccountRoutes } from './account-routes.ts';
import type { RouteDeps } from '../http/deps.ts';
import { backupHealth, backupSettings } from '../backup/service.ts';
import { backupPanel } from '../backup/view.ts';

export function adminRoutes(deps: RouteDeps): Router {
  const r = Router();
  const admin = requireRole('admin');

  const backups = backupSettings(deps.config);
  r.get('/admin', admin, async function adminHome(req, res) {
    const backup = backupPanel(await backupHealth(backups), backups, req.lang);
    res.render('admin/index', { title: req.t('admin.title'), tiles: TILES.admin, backup });
  });

  const renderStaff = async (req: Request, res: Response, form: FormState, status = 200) => {
    const staff = await listStaff();
    const centers = await centerOptions(req.lang);
    res.status(status).render('admin/staff', {
      title: req.t('admin.staff.title'),
      form,
      centers,
      roles: ['staff', 'admin'].map((v) => ({ value: v, label: req.t(`roles.${v}`) })),
      staff: await Promise.all(
        staff.map(async (s) => ({
          id: String(s._id),
          name: s.name,
          phone: s.phone,
          role: req.t(`roles.${s.role}`),
          isStaff: s.role === 'staff',
          disabled: !!s.disabled,
          staffCenter: s.staffCenter ? String(s.staffCenter) : '',
          centerName: s.staffCenter ? centerName(await getCenter(String(s.staffCenter)), req.lang) : '',
        })),
      ),
    });
  };

  r.get('/admin/staff', admin, (req, res) => renderStaff(req, res, formOf({ role: 'staff' })));

  r.post('/admin/staff', admin, async (req, res) => {
    const parsed = validate(req, createStaffSchema, req.body);
    if (!parsed.ok) return renderStaff(req, res, parsed.form, 400);
    const result = await createStaff(req.user!, parsed.data);
    if (!result.ok) return renderStaff(req, res, refusedForm(req, result), result.key === 'errors.phoneTaken' ? 409 : 400);
    flash(req, 'success', 'admin.staff.created', { name: parsed.data.name });
    res.redirect('/admin/staff');
  });

  r.post('/admin/staff/:id/center', admin, async (req, res) => {
    const parsed = z.object({ staffCenter: objectId }).safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'errors.choose');
    await setStaffCenter(req.user!, String(req.params.id), parsed.data.staffCenter);
    flash(req, 'success', 'admin.staff.assigned');
    res.redirect('/admin/staff');
  });

  r.use(adminAccountRoutes());

  return r;
}
