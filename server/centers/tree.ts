import { Center, type CenterLevel } from '../../models/center.ts';
import type { Lang } from '../i18n/index.ts';
import { centerTree } from '../store/index.ts';

export interface CenterNode {
  id: string;
  name: string;
  nameEn: string;
  level: CenterLevel;
  parent: string | null;
  ancestors: string[];
  address: string;
  hours: string;
  phone: string;
}

// The tree is small (hundreds of centers for a whole city) and read on nearly every page, so
// it lives in memory (centerTree, server/store/caches.ts). Writes on this node drop it; other
// nodes catch up within its time to live. A failed or short read never replaces a good tree.
interface Tree {
  byId: Map<string, CenterNode>;
  ordered: CenterNode[];
}

export function invalidateCenters(): void {
  centerTree.drop('all');
}

async function load(): Promise<Tree> {
  const docs = await Center.find({}, { name: 1, nameEn: 1, level: 1, parent: 1, ancestors: 1, address: 1, hours: 1, phone: 1 }).lean();
  const nodes: CenterNode[] = docs.map((d) => ({
    id: String(d._id),
    name: d.name,
    nameEn: d.nameEn ?? '',
    level: d.level as CenterLevel,
    parent: d.parent ? String(d.parent) : null,
    ancestors: (d.ancestors ?? []).map(String),
    address: d.address ?? '',
    hours: d.hours ?? '',
    phone: d.phone ?? '',
  }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // Depth-first order (parents before children) for indented pickers.
  const children = new Map<string | null, CenterNode[]>();
  for (const n of nodes) {
    const key = n.parent && byId.has(n.parent) ? n.parent : null;
    if (!children.has(key)) children.set(key, []);
    children.get(key)!.push(n);
  }
  const ordered: CenterNode[] = [];
  const walk = (parent: string | null) => {
    for (const n of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))) {
      ordered.push(n);
      walk(n.id);
    }
  };
  walk(null);
  return { byId, ordered };
}

function tree(): Promise<Tree> {
  return centerTree.get('all', load);
}

export async function allCenters(): Promise<CenterNode[]> {
  return (await tree()).ordered;
}

export async function getCenter(id: unknown): Promise<CenterNode | undefined> {
  if (typeof id !== 'string' && !(id && typeof id === 'object')) return undefined;
  return (await tree()).byId.get(String(id));
}

/** The center itself and every center below it. */
export async function subtreeIds(id: string): Promise<string[]> {
  const t = await tree();
  if (!t.byId.has(id)) return [];
  return t.ordered.filter((n) => n.id === id || n.ancestors.includes(id)).map((n) => n.id);
}

/** True when `centerId` is `scopeId` or lies below it. */
export async function isWithin(centerId: string | null | undefined, scopeId: string | null | undefined): Promise<boolean> {
  if (!centerId || !scopeId) return false;
  if (centerId === scopeId) return true;
  const node = (await tree()).byId.get(centerId);
  return !!node && node.ancestors.includes(scopeId);
}

export function centerName(node: Pick<CenterNode, 'name' | 'nameEn'> | undefined, lang: Lang): string {
  if (!node) return '';
  return lang === 'en' && node.nameEn ? node.nameEn : node.name;
}

/** Options for a <select>: indented by depth, in tree order. */
export async function centerOptions(lang: Lang, within?: string | null): Promise<{ value: string; label: string }[]> {
  const nodes = await allCenters();
  return nodes
    .filter((n) => !within || n.id === within || n.ancestors.includes(within))
    .map((n) => ({ value: n.id, label: `${'\u3000'.repeat(n.ancestors.length)}${centerName(n, lang)}` }));
}
