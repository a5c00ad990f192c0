// Staff manage the courses of their centers: create, edit, publish, cancel, complete, enrol
// walk-ins, remove enrolments, add and delete teaching materials.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { requireRole, assertCenterScope } from '../../http/guards.ts';
import { validate, formOf, echoForm, refusedForm } from '../../http/validate.ts';
import { HttpError } from '../../http/errors.ts';
import { flash } from '../../http/flash.ts';
import { confirmFirst } from '../../http/confirm.ts';
import { uploadFiles, discardUploads } from '../../files/upload.ts';
import { courseSchema, walkInSchema } from '../schemas.ts';
import * as catalog from '../service/catalog.ts';
import * as editing from '../service/editing.ts';
import * as enrolment from '../service/enrolment.ts';
import * as desk from '../service/desk.ts';
import * as certificates from '../service/certificates.ts';
import { courseCard, formValues, renderForm, renderManage } from '../view.ts';

/** The course named in the URL, if the staff member's center scope covers it. */
export async function staffCourse(req: Request): Promise<catalog.LeanCourse> {
  const course = await catalog.getCourse(String(req.params.id));
  await assertCenterScope(req, String(course.center));
  return course;
}

const manageUrl = (course: catalog.LeanCourse) => `/staff/courses/${String(course._id)}`;

async function listStaffCourses(req: Request, res: Response) {
  const list = await catalog.staffCourses(req.user!);
  res.render('courses/staff-index', {
    title: req.t('courses.staff.title'),
    courses: list.map((x) => ({ ...courseCard(req, x.course, x.taken), waiting: x.waiting })),
  });
}

function newCourseForm(req: Request, res: Response) {
  return renderForm(req, res, formOf({ center: req.user!.staffCenter ?? '', capacity: '20', completionPercent: '80', offerHours: '24', category: '' }));
}

async function createCourse(req: Request, res: Response) {
  if (req.body?.addRows) return renderForm(req, res, echoForm(req.body));
  const parsed = validate(req, courseSchema, req.body);
  if (!parsed.ok) return renderForm(req, res, parsed.form, undefined, 400);
  await assertCenterScope(req, parsed.data.center);
  const id = await editing.createCourse(req.user!, parsed.data);
  flash(req, 'success', 'courses.form.created');
  res.redirect(`/staff/courses/${id}`);
}

async function editCourseForm(req: Request, res: Response) {
  const course = await staffCourse(req);
  await renderForm(req, res, formOf(formValues(course)), course);
}

async function updateCourse(req: Request, res: Response) {
  const course = await staffCourse(req);
  if (req.body?.addRows) return renderForm(req, res, echoForm(req.body), course);
  const parsed = validate(req, courseSchema, req.body);
  if (!parsed.ok) return renderForm(req, res, parsed.form, course, 400);
  await assertCenterScope(req, parsed.data.center);
  const result = await editing.updateCourse(req.user!, course, parsed.data);
  if (!result.ok) return renderForm(req, res, refusedForm(req, result), course, 400);
  flash(req, 'success', 'courses.form.saved');
  res.redirect(manageUrl(course));
}

async function manageCourse(req: Request, res: Response) {
  await renderManage(req, res, await staffCourse(req));
}

async function publishCourse(req: Request, res: Response) {
  const course = await staffCourse(req);
  await editing.publishCourse(req.user!, course);
  flash(req, 'success', 'courses.staff.publishedMsg');
  res.redirect(manageUrl(course));
}

async function cancelCourse(req: Request, res: Response) {
  const course = await staffCourse(req);
  const n = await editing.cancelCourse(req.user!, course);
  flash(req, 'success', 'courses.staff.cancelledMsg', { n: String(n) });
  res.redirect(manageUrl(course));
}

async function completeCourse(req: Request, res: Response) {
  const course = await staffCourse(req);
  const { issued, notMet } = await certificates.completeCourse(req.user!, course);
  flash(req, 'success', 'courses.staff.completedMsg', { issued: String(issued), notMet: String(notMet) });
  res.redirect(manageUrl(course));
}

async function walkIn(req: Request, res: Response) {
  const course = await staffCourse(req);
  if (course.status !== 'published') throw new HttpError(409, 'courses.errors.notOpen');
  const parsed = validate(req, walkInSchema, req.body);
  if (!parsed.ok) return renderManage(req, res, course, parsed.form, 400);
  const result = await desk.walkIn(req.user!, course, parsed.data);
  if (!result.ok) return renderManage(req, res, course, refusedForm(req, result), 400);
  const key = result.result.status === 'confirmed' ? 'courses.staff.walkInConfirmed' : 'courses.staff.walkInWaitlisted';
  flash(req, 'success', key, { name: result.name, position: String(result.result.position ?? '') });
  res.redirect(manageUrl(course));
}

async function removeEnrolment(req: Request, res: Response) {
  const course = await staffCourse(req);
  await enrolment.removeEnrolment(req.user!, course, String(req.params.eid));
  flash(req, 'success', 'courses.staff.removedMsg');
  res.redirect(manageUrl(course));
}

/** Before the upload: the files are stored as the course's own, so the course must be open. */
async function materialsOwner(req: Request, _res: Response, next: NextFunction) {
  const course = await staffCourse(req);
  if (course.status === 'cancelled') throw new HttpError(409, 'courses.errors.closed');
  req.uploadOwnerId = String(course._id);
  next();
}

async function addMaterials(req: Request, res: Response) {
  const course = await staffCourse(req);
  const back = `${manageUrl(course)}#materials`;
  if (req.uploadError) {
    flash(req, 'error', req.uploadError);
    return res.redirect(back);
  }
  const files = req.uploaded ?? [];
  if (!files.length) {
    flash(req, 'error', 'courses.materials.none');
    return res.redirect(back);
  }
  if (course.materials.length + files.length > 20) {
    await discardUploads(req);
    flash(req, 'error', 'courses.materials.tooMany');
    return res.redirect(back);
  }
  await editing.addMaterials(req.user!, course, files);
  flash(req, 'success', 'courses.materials.added', { n: String(files.length) });
  res.redirect(back);
}

async function deleteMaterial(req: Request, res: Response) {
  const course = await staffCourse(req);
  await editing.deleteMaterial(req.user!, course, String(req.params.fid));
  flash(req, 'success', 'courses.materials.deleted');
  res.redirect(`${manageUrl(course)}#materials`);
}

export function staffRoutes(): Router {
  const r = Router();
  const staff = requireRole('staff', 'admin');
  r.get('/staff/courses', staff, listStaffCourses);
  r.get('/staff/courses/new', staff, newCourseForm);
  r.post('/staff/courses', staff, createCourse);
  r.get('/staff/courses/:id/edit', staff, editCourseForm);
  r.post('/staff/courses/:id', staff, updateCourse);
  r.get('/staff/courses/:id', staff, manageCourse);
  r.post('/staff/courses/:id/publish', staff, publishCourse);
  r.post('/staff/courses/:id/cancel', staff, confirmFirst('cancelCourse', staffCourse), cancelCourse);
  r.post('/staff/courses/:id/complete', staff, completeCourse);
  r.post('/staff/courses/:id/walk-in', staff, walkIn);
  r.post('/staff/courses/:id/enrolments/:eid/remove', staff, confirmFirst('removeEnrolment', staffCourse), removeEnrolment);
  // Teaching materials: multipart, CSRF token in the action URL.
  const upload = uploadFiles({
    field: 'materials',
    maxFiles: 5,
    maxBytes: 20 * 1024 * 1024,
    kinds: ['pdf', 'image', 'office'],
    access: 'private',
    ownerType: 'course',
  });
  r.post('/staff/courses/:id/materials', staff, materialsOwner, ...upload, addMaterials);
  r.post('/staff/courses/:id/materials/:fid/delete', staff, confirmFirst('deleteMaterial', staffCourse), deleteMaterial);
  return r;
}
