/**
 * The one id check: a 24-digit hex ObjectId string. (mongoose's `isValid` also accepts any
 * 12-character string, which would reach the database as a different id.)
 */
export const isObjectId = (v: unknown): v is string => typeof v === 'string' && /^[a-f\d]{24}$/i.test(v);
