import { z } from 'zod';
import { objectId } from '../accounts/schemas.ts';

const phone = z
  .string()
  .trim()
  .max(30)
  .regex(/^[\d\s()+-]*$/, 'errors.invalid')
  .default('');

export const centerSchema = z.object({
  name: z.string().trim().min(1).max(80),
  nameEn: z.string().trim().max(120).default(''),
  level: z.enum(['city', 'town', 'village'], 'errors.choose'),
  parent: z.union([z.literal(''), objectId]).default(''),
  address: z.string().trim().max(200).default(''),
  hours: z.string().trim().max(120).default(''),
  phone,
});
export type CenterInput = z.output<typeof centerSchema>;

/** What staff of a center may keep up to date themselves: how residents reach it. */
export const centerContactSchema = centerSchema.pick({ address: true, hours: true, phone: true });
export type CenterContact = z.output<typeof centerContactSchema>;
