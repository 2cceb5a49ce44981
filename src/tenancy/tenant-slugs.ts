// Tenant slugs by id, for log lines: a slug never changes once a tenant exists, so each is read once per process.
import type { Queryable } from '../store/index.js';
import { selectTenantSlug } from './queries.js';

/** More tenants than this and the map starts afresh: a bound on memory, not a cache policy anyone tunes. */
const MAX_TENANTS = 10_000;

/** The slug of a tenant id; undefined for a tenant that no longer exists or when the database cannot say. */
export type TenantSlugs = (tenantId: string) => Promise<string | undefined>;

export function createTenantSlugs(store: Queryable): TenantSlugs {
  const known = new Map<string, string>();
  return async (tenantId) => {
    const cached = known.get(tenantId);
    if (cached !== undefined) return cached;
    let slug: string | undefined;
    try {
      slug = await selectTenantSlug(store, tenantId);
    } catch {
      return undefined;
    }
    if (slug === undefined) return undefined;
    if (known.size >= MAX_TENANTS) known.clear();
    known.set(tenantId, slug);
    return slug;
  };
}
