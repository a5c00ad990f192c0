import { z } from 'zod';
import { PAY_ANSWERS } from '../../models/pay-answer.ts';
import { CASE_RESOLUTIONS } from '../../models/arrears-case.ts';

export const answerSchema = z.object({ answer: z.enum(PAY_ANSWERS, 'errors.choose') });

export const deskAnswerSchema = answerSchema.extend({ application: z.string().regex(/^[a-f\d]{24}$/i, 'errors.choose') });

export const noteSchema = z.object({ text: z.string().trim().min(2).max(500) });

export const resolveSchema = z.object({
  resolution: z.enum(CASE_RESOLUTIONS, 'errors.choose'),
  text: z.string().trim().min(2).max(500),
});
