import { Center } from '../../models/center.ts';
import { invalidateCenters } from '../centers/tree.ts';

interface SeedCenter {
  key: string;
  name: string;
  nameEn: string;
  level: 'city' | 'town' | 'village';
  parent?: string;
  address: string;
  hours: string;
  phone: string;
}

// Linhai, Zhejiang, as in the seed article (shared/seed/).
export const DEMO_CENTERS: SeedCenter[] = [
  {
    key: 'linhai',
    name: '临海市党群服务中心',
    nameEn: 'Linhai City Center',
    level: 'city',
    address: '临海市古城街道东方大道 1 号',
    hours: '周一至周日 8:30–17:30',
    phone: '0576-85110000',
  },
  {
    key: 'dongcheng',
    name: '东塍镇党群服务中心',
    nameEn: 'Dongcheng Town Center',
    level: 'town',
    parent: 'linhai',
    address: '临海市东塍镇镇政府路 8 号',
    hours: '周一至周六 8:00–17:00',
    phone: '0576-85810001',
  },
  {
    key: 'miaoxi',
    name: '庙西村党群服务中心',
    nameEn: 'Miaoxi Village Center',
    level: 'village',
    parent: 'dongcheng',
    address: '临海市东塍镇庙西村村委旁',
    hours: '每天 8:00–20:00',
    phone: '0576-85810123',
  },
  {
    key: 'dongcheng-village',
    name: '东塍村党群服务中心',
    nameEn: 'Dongcheng Village Center',
    level: 'village',
    parent: 'dongcheng',
    address: '临海市东塍镇东塍村',
    hours: '每天 8:00–18:00',
    phone: '0576-85810200',
  },
  {
    key: 'xunqiao',
    name: '汛桥镇党群服务中心',
    nameEn: 'Xunqiao Town Center',
    level: 'town',
    parent: 'linhai',
    address: '临海市汛桥镇汛桥大道 99 号',
    hours: '周一至周六 8:30–17:00',
    phone: '0576-85610002',
  },
  {
    key: 'lifeng',
    name: '利丰村党群服务中心',
    nameEn: 'Lifeng Village Center',
    level: 'village',
    parent: 'xunqiao',
    address: '临海市汛桥镇利丰村',
    hours: '每天 8:00–18:00',
    phone: '0576-85610100',
  },
  {
    key: 'youxi',
    name: '尤溪镇党群服务中心',
    nameEn: 'Youxi Town Center',
    level: 'town',
    parent: 'linhai',
    address: '临海市尤溪镇老街 12 号',
    hours: '周一至周日 8:30–17:30',
    phone: '0576-85710003',
  },
  {
    key: 'youxi-village',
    name: '尤溪村党群服务中心',
    nameEn: 'Youxi Village Center',
    level: 'village',
    parent: 'youxi',
    address: '临海市尤溪镇尤溪村',
    hours: '每天 8:00–18:00',
    phone: '0576-85710100',
  },
  {
    key: 'dayang',
    name: '大洋街道党群服务中心',
    nameEn: 'Dayang Subdistrict Center',
    level: 'town',
    parent: 'linhai',
    address: '临海市大洋街道大洋路 66 号',
    hours: '周一至周日 8:00–20:00',
    phone: '0576-85210004',
  },
  {
    key: 'dayang-community',
    name: '大洋社区党群服务中心',
    nameEn: 'Dayang Community Center',
    level: 'village',
    parent: 'dayang',
    address: '临海市大洋街道大洋社区',
    hours: '每天 8:00–20:00',
    phone: '0576-85210100',
  },
];

/** Creates the demo center tree if missing; returns ids by key. Safe to run twice. */
export async function seedCenters(): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  const ancestors: Record<string, string[]> = {};
  for (const c of DEMO_CENTERS) {
    const parent = c.parent ? ids[c.parent]! : null;
    const anc = c.parent ? [...ancestors[c.parent]!, ids[c.parent]!] : [];
    const existing = await Center.findOne({ name: c.name, parent }, { _id: 1 }).lean();
    const doc =
      existing ??
      (await Center.create({ name: c.name, nameEn: c.nameEn, level: c.level, parent, ancestors: anc, address: c.address, hours: c.hours, phone: c.phone }));
    ids[c.key] = String(doc._id);
    ancestors[c.key] = anc;
  }
  invalidateCenters();
  return ids;
}
