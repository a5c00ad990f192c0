// Certificates are public: anyone with the code can check one.
import { Router, type Request, type Response } from 'express';
import { HttpError } from '../../http/errors.ts';
import type { RouteDeps } from '../../http/deps.ts';
import * as certificates from '../service/certificates.ts';
import { certificatePdf, certificateView } from '../view.ts';

function lookup(req: Request, res: Response) {
  const code = typeof req.query.code === 'string' ? req.query.code.trim().toUpperCase() : '';
  if (code) return res.redirect(`/certificates/${encodeURIComponent(code)}`);
  res.render('certificates/lookup', { title: req.t('courses.certificate.lookupTitle') });
}

export function certificateRoutes({ absoluteUrl }: RouteDeps): Router {
  async function certificatePdfFile(req: Request, res: Response) {
    const cert = await certificates.certificate(String(req.params.code));
    if (!cert) throw new HttpError(404, 'errors.notFound');
    const pdf = await certificatePdf(req, cert, absoluteUrl(`/certificates/${cert.code}`));
    res.set('Content-Disposition', `inline; filename="certificate-${cert.code}.pdf"`).type('application/pdf').send(pdf);
  }

  async function showCertificate(req: Request, res: Response) {
    const cert = await certificates.certificate(String(req.params.code));
    if (!cert) {
      return res
        .status(404)
        .render('certificates/lookup', { title: req.t('courses.certificate.lookupTitle'), code: String(req.params.code).slice(0, 20), notFound: true });
    }
    res.render('certificates/show', await certificateView(req, cert, absoluteUrl(`/certificates/${cert.code}`)));
  }

  const r = Router();
  r.get('/certificates', lookup);
  r.get('/certificates/:code.pdf', certificatePdfFile);
  r.get('/certificates/:code', showCertificate);
  return r;
}
