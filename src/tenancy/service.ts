// Tenants and API tokens: what the CLI and the bootstrap variables manage, and what a bearer token resolves to.
import { DEFAULT_PERSONAS, TOKEN_SCOPES, type PersonaSeed } from '../auth/permissions.js';
import { digestsEqual, generateToken, hashToken, routeToken, tenantOfToken } from '../auth/tokens.js';
import { insertGroup, type GroupWrite } from '../resources/groups/queries.js';
import { PERSONA_SCHEMA } from '../scim/schema/persona.js';
import type { Queryable, Store } from '../store/index.js';
import {
  insertToken,
  revokeToken,
  selectTenantBySlug,
  selectTenantSlug,
  selectTenants,
  updateTenantSettings,
  selectToken,
  selectTokensByHash,
  selectTokens,
  touchToken,
  upsertTenant,
  type TenantRow,
  type TokenRow,
} from './queries.js';

export const TOKEN_PREFIX = 'usher';

function personaGroup(persona: PersonaSeed): GroupWrite {
  return {
    displayName: persona.displayName,
    externalId: undefined,
    attributes: {
      displayName: persona.displayName,
      [PERSONA_SCHEMA.id]: { description: persona.description, permissions: [...persona.permissions] },
    },
  };
}
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TenancyError extends Error {
  override readonly name = 'TenancyError';
}

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly createdAt: string;
  /** Users an identity provider creates (with an API token) get the welcome mail. */
  readonly welcomeMail: boolean;
  /** Users whose personas grant users:write must sign in with two-step verification. */
  readonly mfaRequired: boolean;
}

export interface TenantSettings {
  readonly name?: string;
  readonly welcomeMail?: boolean;
  readonly mfaRequired?: boolean;
}

export interface TokenInfo {
  readonly id: string;
  readonly tenantId: string;
  readonly label: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  /** What the token may do on /scim/v2; null: everything in its tenant. */
  readonly scopes: readonly string[] | null;
  readonly expiresAt: string | null;
}

export interface TokenPrincipal {
  readonly tokenId: string;
  readonly tenantId: string;
  readonly label: string;
  readonly scopes: ReadonlySet<string> | undefined;
  /** When the token stops working; null: until revoked. A caller that keeps the principal checks it at each use. */
  readonly expiresAt: Date | null;
}

export interface TokenOptions {
  /** The bootstrap variable's secret; otherwise a fresh 256-bit one is made. */
  readonly secret?: string;
  /** Permissions from TOKEN_SCOPES the token is limited to; none: the token may do everything in its tenant. */
  readonly scopes?: readonly string[];
  /** When the token stops working; none: it works until revoked. */
  readonly expiresAt?: Date;
}

/** A tenant by its slug (an operator's word), or by the id of a tenant already known to exist (a session's). */
export type TenantRef = string | { readonly id: string };

export interface TenancyService {
  createTenant(slug: string, name?: string): Promise<{ tenant: Tenant; created: boolean }>;
  listTenants(): Promise<Tenant[]>;
  /** Changes a tenant's name or settings; a TenancyError when there is no such tenant. */
  updateTenant(slug: string, settings: TenantSettings): Promise<Tenant>;
  /** The tenant with this slug; a TenancyError that says how to create it when there is none. */
  findTenant(slug: string): Promise<Tenant>;
  /** Issues a token, limited to scopes and an expiry if asked. */
  createToken(tenant: TenantRef, label: string, options?: TokenOptions): Promise<{ token: string; info: TokenInfo; created: boolean }>;
  listTokens(tenant: TenantRef): Promise<TokenInfo[]>;
  /** Revokes a token; with tenantId, only a token of that tenant (another's is "no token with id"). */
  revokeToken(id: string, tenantId?: string): Promise<TokenInfo>;
  /** The slug of the tenant with this id; a TenancyError when there is none. */
  tenantSlug(tenantId: string): Promise<string>;
  /** The tenant and label a bearer token stands for, or undefined when it is unknown, revoked or expired. */
  authenticate(token: string): Promise<TokenPrincipal | undefined>;
}

const toTenant = (row: TenantRow): Tenant => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  welcomeMail: row.welcome_mail,
  mfaRequired: row.mfa_required,
});

const toTokenInfo = (row: TokenRow): TokenInfo => ({
  id: row.id,
  tenantId: row.tenant_id,
  label: row.label,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
  scopes: row.scopes,
  expiresAt: row.expires_at?.toISOString() ?? null,
});

/** "a, b or c". */
const SCOPE_CHOICES = `${TOKEN_SCOPES.slice(0, -1).join(', ')} or ${TOKEN_SCOPES.at(-1)!}`;

function checkScopes(scopes: readonly string[]): void {
  const unknown = scopes.find((scope) => !TOKEN_SCOPES.includes(scope));
  if (unknown !== undefined) throw new TenancyError(`"${unknown}" is not a token scope; use ${SCOPE_CHOICES}.`);
  if (scopes.length === 0) throw new TenancyError(`A scoped token needs at least one scope: ${SCOPE_CHOICES}.`);
}

/** The portals' personas, which every new tenant starts with. */
export async function insertDefaultPersonas(q: Queryable, tenantId: string, newId: () => string, now: Date): Promise<void> {
  for (const persona of DEFAULT_PERSONAS) await insertGroup(q, tenantId, newId(), personaGroup(persona), now);
}

export function createTenancyService(deps: { store: Store; clock: () => Date; newId: () => string }): TenancyService {
  const { store, clock, newId } = deps;

  async function tenantBySlug(slug: string): Promise<TenantRow> {
    const tenant = await selectTenantBySlug(store, slug);
    if (!tenant) throw new TenancyError(`No tenant "${slug}". Create it with: usher tenant create ${slug}`);
    return tenant;
  }
  const tenantIdOf = async (ref: TenantRef) => (typeof ref === 'string' ? (await tenantBySlug(ref)).id : ref.id);

  return {
    async createTenant(slug, name) {
      if (!SLUG.test(slug)) {
        throw new TenancyError(`"${slug}" is not a valid tenant slug: use 1 to 63 lower-case letters, digits and hyphens, starting with a letter or digit.`);
      }
      const { tenant, created } = await store.transaction(async (tx) => {
        const now = clock();
        const result = await upsertTenant(tx, newId(), slug, name?.trim() || slug, now);
        // A new account starts with the portals' personas; the tenant edits them like any group afterwards.
        if (result.created) await insertDefaultPersonas(tx, result.tenant.id, newId, now);
        return result;
      });
      return { tenant: toTenant(tenant), created };
    },

    async listTenants() {
      return (await selectTenants(store)).map(toTenant);
    },

    async updateTenant(slug, settings) {
      const name = settings.name?.trim();
      if (settings.name !== undefined && !name) throw new TenancyError('A tenant name cannot be empty.');
      const row = await updateTenantSettings(store, slug, { ...settings, ...(name !== undefined ? { name } : {}) });
      if (!row) throw new TenancyError(`No tenant "${slug}". Create it with: usher tenant create ${slug}`);
      return toTenant(row);
    },

    async tenantSlug(tenantId) {
      const slug = await selectTenantSlug(store, tenantId);
      if (slug === undefined) throw new TenancyError(`No tenant with id "${tenantId}".`);
      return slug;
    },

    async findTenant(slug) {
      return toTenant(await tenantBySlug(slug));
    },

    async createToken(tenantRef, label, options = {}) {
      if (options.scopes) checkScopes(options.scopes);
      const now = clock();
      if (options.expiresAt && options.expiresAt.getTime() <= now.getTime()) throw new TenancyError('A token\'s expiry must be in the future.');
      const tenantId = await tenantIdOf(tenantRef);
      const token = options.secret ?? generateToken(TOKEN_PREFIX, tenantId);
      const tokenHash = hashToken(token);
      const limits = { scopes: options.scopes ? [...new Set(options.scopes)].sort() : null, expiresAt: options.expiresAt ?? null };
      const named = options.secret === undefined ? undefined : tenantOfToken(options.secret);
      if (named !== undefined && named !== tenantId) throw new TenancyError('That token names another tenant; choose another secret.');
      return store.transaction(async (tx) => {
        // A supplied secret (the bootstrap token) that names no tenant is found by its digest alone: it must be no
        // other tenant's. A fresh token names its tenant and never collides.
        if (options.secret !== undefined && named === undefined) {
          const others = await selectTokensByHash(tx, tokenHash);
          if (others.some((other) => other.tenant_id !== tenantId)) throw new TenancyError('That token is already in use by another tenant.');
        }
        const row = await insertToken(tx, tenantId, newId(), label, tokenHash, now, limits);
        if (row) return { token, info: toTokenInfo(row), created: true };
        // Only a supplied secret can already exist: the bootstrap token on restart.
        const existing = await selectToken(tx, tenantId, tokenHash);
        if (!existing) throw new TenancyError('That token is already in use by another tenant.');
        return { token, info: toTokenInfo(existing), created: false };
      });
    },

    async listTokens(tenantRef) {
      return (await selectTokens(store, await tenantIdOf(tenantRef))).map(toTokenInfo);
    },

    async revokeToken(id, tenantId) {
      if (!UUID.test(id)) throw new TenancyError(`No token with id "${id}".`);
      const row = await store.transaction((tx) => revokeToken(tx, id, clock(), tenantId));
      if (!row) throw new TenancyError(`No token with id "${id}".`);
      return toTokenInfo(row);
    },

    async authenticate(token) {
      // On the token's tenant; a token that names none (issued before tokens did, or supplied as text) by its digest
      // alone, and only when one tenant has it.
      const { digest, tenantId } = routeToken(token);
      const rows = tenantId !== undefined ? [await selectToken(store, tenantId, digest)] : await selectTokensByHash(store, digest);
      const row = rows.length === 1 ? rows[0] : undefined;
      // The lookup is by digest already; comparing again in constant time keeps a timing channel out even if
      // the index or driver ever compared loosely.
      if (!row || !digestsEqual(row.token_hash, digest) || row.revoked_at !== null) return undefined;
      const now = clock();
      if (row.expires_at !== null && row.expires_at.getTime() <= now.getTime()) return undefined;
      if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
        await touchToken(store, row.tenant_id, row.id, now);
      }
      return {
        tokenId: row.id,
        tenantId: row.tenant_id,
        label: row.label,
        scopes: row.scopes ? new Set(row.scopes) : undefined,
        expiresAt: row.expires_at,
      };
    },
  };
}
