import { Router, type Request, type Response } from 'express';
import { requireRole, assertCenterScope } from '../http/guards.ts';
import { centerName, centerOptions, getCenter } from '../centers/tree.ts';
import { formatDate, formatMonth, yuanDigits } from '../lib/format.ts';
import { isObjectId } from '../lib/ids.ts';
import { toCsv } from '../lib/csv.ts';
import { lastMonths, scopeReport } from '../workshops/reports.ts';
import { jobsReport, coursesReport } from './service.ts';

/**
 * The center a report covers: the one asked for (if within the staff member's subtree) or their
 * own; null for an admin who asked for none (every center). Same rule as the workshop report.
 */
async function reportScope(req: Request): Promise<{ own: string | null; centerId: string | null }> {
  const own = req.user!.role === 'admin' ? null : req.user!.staffCenter!;
  const requested = isObjectId(req.query.center) ? req.query.center : '';
  if (requested) await assertCenterScope(req, requested);
  return { own, centerId: requested || own };
}

/** What every report page shows above its figures: the tabs, the center picker, the CSV link. */
async function frame(req: Request, tab: 'workshops' | 'jobs' | 'courses', scope: { own: string | null; centerId: string | null }) {
  const q = scope.centerId && scope.centerId !== scope.own ? `?center=${scope.centerId}` : '';
  return {
    reportTab: tab,
    reportQuery: q,
    centers: await centerOptions(req.lang, scope.own),
    center: scope.centerId ?? '',
    centerName: scope.centerId ? centerName(await getCenter(scope.centerId), req.lang) : req.t('reports.allCenters'),
  };
}

function sendCsv(res: Response, name: string, csv: string) {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  res.send(csv);
}

export function reportRoutes(): Router {
  const r = Router();
  const staff = requireRole('staff', 'admin');

  r.get('/staff/reports/jobs', staff, async function jobsPage(req, res) {
    const scope = await reportScope(req);
    const months = lastMonths(6);
    const month = typeof req.query.month === 'string' && months.includes(req.query.month) ? req.query.month : months.at(-1)!;
    const report = await jobsReport(scope.centerId, months);
    res.render('reports/jobs', {
      title: req.t('reports.jobs.title'),
      ...(await frame(req, 'jobs', scope)),
      month,
      months: months.map((m) => ({ value: m, label: m })),
      trend: report.trend,
      centerRows: await Promise.all(report.centers.map(async (c) => ({ id: c.id, name: centerName(await getCenter(c.id), req.lang), ...c.months[month]! }))),
    });
  });

  r.get('/staff/reports/jobs.csv', staff, async function jobsCsv(req, res) {
    const scope = await reportScope(req);
    const months = lastMonths(6);
    const report = await jobsReport(scope.centerId, months);
    const rows: (string | number)[][] = [
      [
        req.t('reports.csv.center'),
        req.t('reports.csv.month'),
        req.t('reports.jobs.postings'),
        req.t('reports.jobs.applications'),
        req.t('reports.jobs.hires'),
      ],
    ];
    for (const c of report.centers) {
      const name = centerName(await getCenter(c.id), req.lang);
      for (const m of months) rows.push([name, m, c.months[m]!.postings, c.months[m]!.applications, c.months[m]!.hires]);
    }
    sendCsv(res, `jobs-${months.at(-1)}`, toCsv(rows));
  });

  r.get('/staff/reports/courses', staff, async function coursesPage(req, res) {
    const scope = await reportScope(req);
    const months = lastMonths(6);
    const report = await coursesReport(scope.centerId, months);
    res.render('reports/courses', {
      title: req.t('reports.courses.title'),
      ...(await frame(req, 'courses', scope)),
      trend: report.trend,
      listedSince: formatMonth(months[0], req.lang),
      courses: await Promise.all(
        report.courses.map(async (c) => ({
          ...c,
          centerName: centerName(await getCenter(c.center), req.lang),
          start: formatDate(c.firstSessionAt, req.lang, 'date'),
          statusLabel: req.t(`courses.status.${c.status}`),
        })),
      ),
    });
  });

  r.get('/staff/reports/courses.csv', staff, async function coursesCsv(req, res) {
    const scope = await reportScope(req);
    const report = await coursesReport(scope.centerId, lastMonths(6));
    const h = (k: string) => req.t(`reports.courses.${k}`);
    const rows: (string | number)[][] = [
      [
        h('course'),
        req.t('reports.csv.center'),
        h('start'),
        h('status'),
        h('capacity'),
        h('enrolled'),
        h('waitlisted'),
        h('withdrawn'),
        h('attended'),
        h('attendance'),
        h('completions'),
      ],
    ];
    for (const c of report.courses) {
      rows.push([
        c.title,
        centerName(await getCenter(c.center), req.lang),
        c.firstSessionAt ? formatDate(c.firstSessionAt, req.lang, 'date') : '',
        req.t(`courses.status.${c.status}`),
        c.capacity,
        c.enrolled,
        c.waitlisted,
        c.withdrawn,
        c.attended,
        c.attendancePercent ?? '',
        c.completions,
      ]);
    }
    sendCsv(res, `courses-${lastMonths(1)[0]}`, toCsv(rows));
  });

  r.get('/staff/reports/workshops.csv', staff, async function workshopsCsv(req, res) {
    const scope = await reportScope(req);
    const report = await scopeReport(scope.centerId);
    const h = (k: string) => req.t(`workshops.reports.${k}`);
    const rows: (string | number)[][] = [
      [
        req.t('workshops.fields.workshop'),
        req.t('reports.csv.month'),
        h('active'),
        h('lowIncome'),
        req.t('workshops.fields.accepted'),
        `${h('paid')} (¥)`,
        `${h('paidLow')} (¥)`,
      ],
    ];
    const line = (name: string, f: (typeof report.trend)[number]) =>
      rows.push([name, f.month, f.activeWorkers, f.lowIncomeWorkers, f.accepted, yuanDigits(f.paidFen), yuanDigits(f.paidLowIncomeFen)]);
    for (const f of report.trend) line(req.t('reports.csv.allWorkshops'), f);
    for (const w of report.workshops) line(w.name, w.figures);
    sendCsv(res, `workshops-${report.trend.at(-1)!.month}`, toCsv(rows));
  });

  return r;
}
