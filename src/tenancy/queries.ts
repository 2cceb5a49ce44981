// SQL for tenants and their API tokens.
import type { Queryable } from '../store/index.js';

export interface TenantRow {
  [key: string]: unknown;
  id: string;
  slug: string;
  name: string;
  created_at: Date;
  /** Users created with an API token get the welcome mail. */
  welcome_mail: boolean;
  /** Users whose personas grant users:write must sign in with a second factor. */
  mfa_required: boolean;
}

const TENANT_COLUMNS = 'id, slug, name, created_at, welcome_mail, mfa_required';

export interface TokenRow {
  [key: string]: unknown;
  id: string;
  tenant_id: string;
  label: string;
  token_hash: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  /** What the token may do on /scim/v2; null: everything in its tenant. */
  scopes: string[] | null;
  expires_at: Date | null;
}

/** Creates a tenant unless one with that slug exists; returns the tenant either way and whether it is new. */
export async function upsertTenant(tx: Queryable, id: string, slug: string, name: string, now: Date): Promise<{ tenant: TenantRow; created: boolean }> {
  const inserted = await tx.query<TenantRow>(
    `insert into tenants (id, slug, name, created_at) values ($1, $2, $3, $4)
     on conflict ((lower(slug))) do nothing
     returning ${TENANT_COLUMNS}`,
    [id, slug, name, now.toISOString()],
  );
  if (inserted[0]) return { tenant: inserted[0], created: true };
  return { tenant: (await selectTenantBySlug(tx, slug))!, created: false };
}

export async function selectTenantBySlug(q: Queryable, slug: string): Promise<TenantRow | undefined> {
  const rows = await q.query<TenantRow>(`select ${TENANT_COLUMNS} from tenants where lower(slug) = lower($1)`, [slug]);
  return rows[0];
}

export async function selectTenantSlug(q: Queryable, id: string): Promise<string | undefined> {
  const rows = await q.query<{ slug: string }>('select slug from tenants where id = $1', [id]);
  return rows[0]?.slug;
}

export async function selectTenants(q: Queryable): Promise<TenantRow[]> {
  return q.query<TenantRow>(`select ${TENANT_COLUMNS} from tenants order by slug`);
}

/** A tenant's settings that change; each left undefined stays. Undefined when there is no such tenant. */
export async function updateTenantSettings(
  q: Queryable,
  slug: string,
  settings: { name?: string; welcomeMail?: boolean; mfaRequired?: boolean },
): Promise<TenantRow | undefined> {
  const rows = await q.query<TenantRow>(
    `update tenants set name = coalesce($2, name), welcome_mail = coalesce($3, welcome_mail), mfa_required = coalesce($4, mfa_required)
      where lower(slug) = lower($1)
      returning ${TENANT_COLUMNS}`,
    [slug, settings.name ?? null, settings.welcomeMail ?? null, settings.mfaRequired ?? null],
  );
  return rows[0];
}

const TOKEN_COLUMNS = 'id, tenant_id, label, token_hash, created_at, last_used_at, revoked_at, scopes, expires_at';

export interface TokenLimits {
  readonly scopes: readonly string[] | null;
  readonly expiresAt: Date | null;
}

export async function insertToken(
  tx: Queryable,
  tenantId: string,
  id: string,
  label: string,
  tokenHash: string,
  now: Date,
  limits: TokenLimits,
): Promise<TokenRow> {
  const rows = await tx.query<TokenRow>(
    `insert into api_tokens (tenant_id, id, label, token_hash, created_at, scopes, expires_at) values ($1, $2, $3, $4, $5, $6::text[], $7)
     on conflict (tenant_id, token_hash) do nothing
     returning ${TOKEN_COLUMNS}`,
    [tenantId, id, label, tokenHash, now.toISOString(), limits.scopes ? [...limits.scopes] : null, limits.expiresAt?.toISOString() ?? null],
  );
  return rows[0]!;
}

/** A token of a tenant by its digest: on the tenant's shard, served by api_tokens_tenant_token_hash_key. */
export async function selectToken(q: Queryable, tenantId: string, tokenHash: string): Promise<TokenRow | undefined> {
  const rows = await q.query<TokenRow>(`select ${TOKEN_COLUMNS} from api_tokens where tenant_id = $1 and token_hash = $2`, [tenantId, tokenHash]);
  return rows[0];
}

/**
 * The tokens with this digest in any tenant (at most two: one is the answer, two a conflict): the lookup of a token
 * that names no tenant, served by api_tokens_token_hash_idx, and on a distributed database a query of every shard.
 */
export async function selectTokensByHash(q: Queryable, tokenHash: string): Promise<TokenRow[]> {
  return q.query<TokenRow>(`select ${TOKEN_COLUMNS} from api_tokens where token_hash = $1 limit 2`, [tokenHash]);
}

export async function selectTokens(q: Queryable, tenantId: string): Promise<TokenRow[]> {
  return q.query<TokenRow>(`select ${TOKEN_COLUMNS} from api_tokens where tenant_id = $1 order by created_at, id`, [tenantId]);
}

/**
 * Revokes a token by id; the row stays, so its history and last use remain visible. With a tenant (the console's
 * API), only that tenant's token: another tenant's id is no token at all.
 */
export async function revokeToken(tx: Queryable, id: string, now: Date, tenantId?: string): Promise<TokenRow | undefined> {
  const rows =
    tenantId === undefined
      ? await tx.query<TokenRow>(`update api_tokens set revoked_at = coalesce(revoked_at, $2) where id = $1 returning ${TOKEN_COLUMNS}`, [id, now.toISOString()])
      : await tx.query<TokenRow>(
          `update api_tokens set revoked_at = coalesce(revoked_at, $3) where tenant_id = $1 and id = $2 returning ${TOKEN_COLUMNS}`,
          [tenantId, id, now.toISOString()],
        );
  return rows[0];
}

/** Records a token's use, at most once a minute, so busy clients do not write on every request. */
export async function touchToken(q: Queryable, tenantId: string, id: string, now: Date): Promise<void> {
  await q.query(
    `update api_tokens set last_used_at = $3
      where tenant_id = $1 and id = $2 and (last_used_at is null or last_used_at < $3::timestamptz - interval '1 minute')`,
    [tenantId, id, now.toISOString()],
  );
}
