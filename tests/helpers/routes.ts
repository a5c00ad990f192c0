import type { Express } from 'express';

export interface RouteInfo {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  name?: string;
}

/** Every route registered on the app, read from Express's router (mounted routers included). */
export function listRoutes(app: Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push({ method: m.toUpperCase(), path: p });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  walk(router.stack);
  return out;
}

/** A concrete URL for a route pattern: every `:param` becomes a well-formed id that matches nothing. */
export function concrete(path: string, id = '5f0000000000000000000001'): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => (/code/i.test(name) ? 'NOPE-0000' : id));
}

/**
 * A concrete URL with real ids: each `:param` is looked up in `values` (by name, or by
 * `<first path segment after the role prefix>.<name>` for `:id`, e.g. `courses.id`).
 * Returns null when a parameter has no value, so a walk can report it instead of guessing.
 */
export function withRecords(path: string, values: Record<string, string>): string | null {
  const area = path.split('/')[2] ?? '';
  let missing = false;
  const url = path.replace(/:(\w+)/g, (_m, name: string) => {
    const v = values[`${area}.${name}`] ?? values[name];
    if (v === undefined) missing = true;
    return encodeURIComponent(v ?? '');
  });
  return missing ? null : url;
}
