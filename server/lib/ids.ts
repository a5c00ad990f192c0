import { Types } from 'mongoose';

/**
 * The one id check: a 24-digit hex ObjectId string. (mongoose's `isValid` also accepts any
 * 12-character string, which would reach the database as a different id.)
 */
export const isObjectId = (v: unknown): v is string => typeof v === 'string' && /^[a-f\d]{24}$/i.test(v);

/** An ObjectId from its string (or itself): for ids already checked or read from the database. */
export const oid = (id: string | Types.ObjectId): Types.ObjectId => (id instanceof Types.ObjectId ? id : new Types.ObjectId(id));
