// A resident answers a waitlist offer: take the held seat, or let it go to the next person.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireRole } from '../../http/guards.ts';
import { flash } from '../../http/flash.ts';
import { confirmFirst } from '../../http/confirm.ts';
import { isRefusal } from '../../lib/refusal.ts';
import * as catalog from '../service/catalog.ts';
import * as offers from '../service/offers.ts';

// Where the answer was given: the course page (default) or the resident's own course list.
const answerSchema = z.object({ from: z.enum(['mine']).optional().catch(undefined) });

/** Back to the page the resident answered on. */
export function answeredFrom(req: Request, courseId: string): string {
  return answerSchema.parse(req.body ?? {}).from === 'mine' ? '/me/courses' : `/courses/${courseId}#enrol`;
}

async function acceptOffer(req: Request, res: Response) {
  const course = await catalog.getCourse(String(req.params.id));
  const id = String(course._id);
  try {
    const result = await offers.acceptOffer(id, req.user!.id);
    flash(req, 'success', result === 'already' ? 'courses.enrolment.alreadyConfirmed' : 'waitlist.offer.acceptedMsg', { course: course.title });
  } catch (err) {
    if (!isRefusal(err, 'conflict', 'gone')) throw err;
    flash(req, 'error', err.key, err.params);
  }
  res.redirect(303, answeredFrom(req, id));
}

async function declineOffer(req: Request, res: Response) {
  const course = await catalog.getCourse(String(req.params.id));
  const id = String(course._id);
  try {
    await offers.declineOffer(id, req.user!.id);
    flash(req, 'success', 'waitlist.offer.declinedMsg', { course: course.title });
  } catch (err) {
    if (!isRefusal(err, 'conflict', 'gone')) throw err;
    flash(req, 'error', err.key, err.params);
  }
  res.redirect(303, answeredFrom(req, id));
}

export function offerRoutes(): Router {
  const r = Router();
  const resident = requireRole('resident');
  r.post('/courses/:id/offer/accept', resident, acceptOffer);
  r.post(
    '/courses/:id/offer/decline',
    resident,
    confirmFirst('declineOffer', (req) => catalog.getCourse(String(req.params.id))),
    declineOffer,
  );
  return r;
}
