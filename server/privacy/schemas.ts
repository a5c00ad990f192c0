import { z } from 'zod';

export const lowIncomeConsentSchema = z.object({ consent: z.enum(['give', 'withdraw'], 'errors.choose') });

/** A deletion request is confirmed with a ticked box (works without JavaScript). */
export const deleteRequestSchema = z.object({ understand: z.literal('on', 'privacy.delete.understandRequired') });
