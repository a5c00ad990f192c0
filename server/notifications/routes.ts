import { Router } from 'express';
import { requireLogin } from '../http/guards.ts';
import { formatDate } from '../lib/format.ts';
import { listNotifications, markAllRead } from './service.ts';

export function notificationRoutes(): Router {
  const r = Router();
  r.get('/notifications', requireLogin, async (req, res) => {
    const items = await listNotifications(req.user!.id);
    res.render('notifications/index', {
      title: req.t('notifications.title'),
      items: items.map((n) => ({
        text: req.t(`notifications.types.${n.type}`, Object.fromEntries(Object.entries((n.params ?? {}) as Record<string, string>))),
        link: n.link?.startsWith('/') ? n.link : '',
        read: n.read,
        at: formatDate(n.createdAt, req.lang, 'datetime'),
      })),
    });
  });
  r.post('/notifications/read', requireLogin, async (req, res) => {
    await markAllRead(req.user!.id);
    res.redirect('/notifications');
  });
  return r;
}
