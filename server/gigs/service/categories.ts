import { isDuplicateKey } from '../../store/index.ts';
import { Category } from '../../../models/category.ts';
import { categories } from '../../store/index.ts';

import { audit } from '../../audit/service.ts';
import type { FieldResult } from './shared.ts';

export const BUILTIN_CATEGORIES = [
  { key: 'factory', name: '工厂普工', nameEn: 'Factory work' },
  { key: 'agriculture', name: '农业采摘', nameEn: 'Agriculture' },
  { key: 'construction', name: '建筑装修', nameEn: 'Construction' },
  { key: 'domestic', name: '家政服务', nameEn: 'Domestic help' },
  { key: 'catering', name: '餐饮帮工', nameEn: 'Catering' },
  { key: 'retail', name: '商超零售', nameEn: 'Retail' },
  { key: 'logistics', name: '物流装卸', nameEn: 'Logistics' },
  { key: 'handicraft', name: '手工活', nameEn: 'Handicraft' },
  { key: 'other', name: '其他', nameEn: 'Other' },
];

export function listCategories(): Promise<{ key: string; name: string; nameEn: string }[]> {
  return categories.get('all', async () => {
    let docs = await Category.find({}, { key: 1, name: 1, nameEn: 1, order: 1 }).sort({ order: 1, createdAt: 1 }).lean();
    if (!docs.length) {
      await ensureBuiltinCategories();
      docs = await Category.find({}, { key: 1, name: 1, nameEn: 1, order: 1 }).sort({ order: 1, createdAt: 1 }).lean();
    }
    return docs.map((d) => ({ key: d.key, name: d.name, nameEn: d.nameEn }));
  });
}

export async function ensureBuiltinCategories(): Promise<void> {
  for (const [i, c] of BUILTIN_CATEGORIES.entries()) {
    try {
      await Category.create({ ...c, order: i, builtin: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}

export async function addCategory(actor: Express.User, input: { key: string; name: string; nameEn: string }): Promise<FieldResult> {
  try {
    await Category.create({ ...input, order: 100 });
  } catch (err) {
    if (isDuplicateKey(err)) return { ok: false, field: 'key', key: 'gigs.errors.categoryTaken' };
    throw err;
  }
  await audit(actor, { action: 'gigs.category.create', targetType: 'category', targetId: input.key, details: { name: input.name } });
  return { ok: true };
}
