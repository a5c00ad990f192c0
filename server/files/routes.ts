import { Router } from 'express';
import { HttpError } from '../http/errors.ts';
import { fileInfo, openFile } from './store.ts';
import { mayRead, hasAccessPolicy } from './upload.ts';

const INLINE = new Set(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);

export function fileRoutes(): Router {
  const r = Router();
  r.get('/files/:id', async (req, res) => {
    const info = await fileInfo(String(req.params.id));
    // One answer for "no such file" and "not yours", so a refusal never confirms that a
    // private file exists (issue 14, finding 2).
    if (!info || !(await mayRead(req.user, info.meta))) throw new HttpError(404, 'errors.notFound');
    const inline = INLINE.has(info.meta.type);
    res.setHeader('Content-Type', info.meta.type);
    res.setHeader('Content-Length', String(info.length));
    res.setHeader('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(info.name)}`);
    // A served file can never run script in our origin; downloads are sandboxed outright.
    res.setHeader('Content-Security-Policy', `default-src 'none'; img-src 'self'; style-src 'unsafe-inline'${inline ? '' : '; sandbox'}`);
    // Access can end (a posting closes, a file is removed), so only files no policy governs are
    // cached by shared caches.
    res.setHeader('Cache-Control', info.meta.access === 'public' && !hasAccessPolicy(info.meta.ownerType) ? 'public, max-age=86400' : 'private, no-store');
    openFile(String(req.params.id))
      .on('error', () => res.destroy())
      .pipe(res);
  });
  return r;
}
