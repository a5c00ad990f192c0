import { z } from 'zod';
import { objectId } from '../accounts/schemas.ts';

export const centerSchema = z.object({
  name: z.string().trim().min(1).max(80),
  nameEn: z.string().trim().max(120).default(''),
  level: z.enum(['city', 'town', 'village'], 'errors.choose'),
  parent: z.union([z.literal(''), objectId]).default(''),
  address: z.string().trim().max(200).default(''),
  hours: z.string().trim().max(120).default(''),
  phone: z
    .string()
    .trim()
    .max(30)
    .regex(/^[\d\s()+-]*$/, 'errors.invalid')
    .default(''),
});
export type CenterInput = z.output<typeof centerSchema>;
