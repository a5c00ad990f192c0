import { Router, type NextFunction, type Request, type Response } from 'express';
import { HttpError } from '../../http/errors.ts';
import { flash } from '../../http/flash.ts';
import { confirmFirst } from '../../http/confirm.ts';
import { uploadFiles, discardUploads } from '../../files/upload.ts';
import * as shops from '../service.ts';
import { staff, staffWorkshop } from './access.ts';

// Scope is checked before multer reads a byte of the upload.
async function checkScopeFirst(req: Request, _res: Response, next: NextFunction) {
  await staffWorkshop(req);
  next();
}

async function addPhotos(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  if (req.uploadError || !req.uploaded?.length) {
    await discardUploads(req);
    flash(req, 'error', req.uploadError ?? 'workshops.photos.none');
    return res.redirect(`/staff/workshops/${String(w._id)}`);
  }
  await shops.addPhotos(
    req.user!,
    w,
    req.uploaded.map((f) => `/files/${f.id}`),
  );
  flash(req, 'success', 'workshops.photos.added');
  res.redirect(`/staff/workshops/${String(w._id)}`);
}

async function deletePhoto(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  if (!(await shops.removePhoto(req.user!, w, String(req.body?.photo ?? '')))) throw new HttpError(404, 'errors.notFound');
  flash(req, 'success', 'workshops.photos.deleted');
  res.redirect(`/staff/workshops/${String(w._id)}`);
}

/** Photos: checked by content, stored in GridFS (public), linked from the workshop page. */
export function photoRoutes(): Router {
  const r = Router();
  const upload = uploadFiles({
    field: 'photos',
    maxFiles: 4,
    maxBytes: 5 * 1024 * 1024,
    kinds: ['image'],
    access: 'public',
    ownerType: 'workshop',
    ownerId: (req) => String(req.params.id),
  });
  r.post('/staff/workshops/:id/photos', staff, checkScopeFirst, ...upload, addPhotos);
  r.post('/staff/workshops/:id/photos/delete', staff, confirmFirst('deletePhoto', staffWorkshop), deletePhoto);
  return r;
}
