import type { Request } from 'express';
import { formatDay, formatMonth } from '../lib/format.ts';
import type { myWork } from './me.ts';

type Work = Awaited<ReturnType<typeof myWork>>[number];

/**
 * The worker's page in words: each period named with its dates (本周 can be larger than 本月
 * on the 1st, and the page says why), pieces per task in their own unit, and pay dates that
 * say "paid on" or "will be paid on".
 */
export function myWorkView(req: Request, w: Work) {
  const { today, weekStart, monthStart } = w.range;
  const day = (d: string) => formatDay(d, req.lang);
  const method = (m?: string | null) => (m ? req.t(`workshops.pay.methods.${m}`) : '');
  return {
    ...w,
    periodsShown: [
      { key: 'today', label: req.t('workshops.me.today'), range: day(today), ...w.today },
      { key: 'week', label: req.t('workshops.me.week'), range: req.t('workshops.me.range', { from: day(weekStart), to: day(today) }), ...w.week },
      { key: 'month', label: req.t('workshops.me.month'), range: req.t('workshops.me.range', { from: day(monthStart), to: day(today) }), ...w.month },
    ],
    weekNote: weekStart < monthStart ? req.t('workshops.me.weekCrossesMonth', { from: day(weekStart), monthStart: day(monthStart) }) : '',
    days: w.days.map((d) => ({ ...d, dateText: day(d.date) })),
    periods: w.periods.map((p) => ({
      ...p!,
      monthText: formatMonth(p!.month, req.lang),
      paidText: !p!.paidAt
        ? req.t('workshops.pay.unpaid')
        : p!.paidAt > today
          ? req.t('workshops.pay.willPayOn', { date: day(p!.paidAt), method: method(p!.method) })
          : req.t('workshops.pay.paidOn', { date: day(p!.paidAt), method: method(p!.method) }),
    })),
  };
}
