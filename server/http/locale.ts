import type { RequestHandler } from 'express';
import { pickLang, translator } from '../i18n/index.ts';

export const LANG_COOKIE = 'lang';
export const ELDER_COOKIE = 'elder';

/** Sets req.lang / req.t; a `?lang=` choice is remembered in a cookie. */
export const locale: RequestHandler = (req, res, next) => {
  const query = req.query.lang;
  const lang = pickLang(query, req.cookies?.[LANG_COOKIE], req.headers['accept-language']);
  if (query === lang && req.cookies?.[LANG_COOKIE] !== lang) {
    res.cookie(LANG_COOKIE, lang, { maxAge: 365 * 24 * 3600 * 1000, sameSite: 'lax', httpOnly: true });
  }
  req.lang = lang;
  req.t = translator(lang);
  res.locals.lang = lang;
  res.locals.elder = req.cookies?.[ELDER_COOKIE] === '1';
  next();
};
