// SQL for the second factor: a user's sealed TOTP secrets, its recovery codes, and the tenant's requirement.
import type { Queryable } from '../store/index.js';

export interface MfaRow {
  [key: string]: unknown;
  secret: string | null;
  enabled_at: Date | null;
  last_step: number;
  pending_secret: string | null;
  pending_expires_at: Date | null;
}

const MFA_COLUMNS = 'secret, enabled_at, last_step::float8 as last_step, pending_secret, pending_expires_at';

export async function selectMfa(q: Queryable, tenantId: string, userId: string): Promise<MfaRow | undefined> {
  const rows = await q.query<MfaRow>(`select ${MFA_COLUMNS} from user_mfa where tenant_id = $1 and user_id = $2`, [tenantId, userId]);
  return rows[0];
}

export async function lockMfa(tx: Queryable, tenantId: string, userId: string): Promise<MfaRow | undefined> {
  const rows = await tx.query<MfaRow>(`select ${MFA_COLUMNS} from user_mfa where tenant_id = $1 and user_id = $2 for update`, [tenantId, userId]);
  return rows[0];
}

/** Keeps a secret waiting for its first code; a factor already confirmed stays as it is until then. */
export async function savePendingSecret(tx: Queryable, tenantId: string, userId: string, sealed: string, expiresAt: Date): Promise<void> {
  await tx.query(
    `insert into user_mfa (tenant_id, user_id, pending_secret, pending_expires_at) values ($1, $2, $3, $4)
     on conflict (tenant_id, user_id) do update set pending_secret = excluded.pending_secret, pending_expires_at = excluded.pending_expires_at`,
    [tenantId, userId, sealed, expiresAt.toISOString()],
  );
}

/** The pending secret becomes the user's factor, with the step of the code that confirmed it as used. */
export async function confirmPendingSecret(tx: Queryable, tenantId: string, userId: string, step: number, now: Date): Promise<void> {
  await tx.query(
    `update user_mfa set secret = pending_secret, enabled_at = $4, last_step = $3, pending_secret = null, pending_expires_at = null
      where tenant_id = $1 and user_id = $2`,
    [tenantId, userId, step, now.toISOString()],
  );
  await setMfaEnabled(tx, tenantId, userId, true);
}

/** Notes the step of an accepted code: no code of that step or an earlier one is accepted again. */
export async function markStepUsed(tx: Queryable, tenantId: string, userId: string, step: number): Promise<void> {
  await tx.query('update user_mfa set last_step = greatest(last_step, $3) where tenant_id = $1 and user_id = $2', [tenantId, userId, step]);
}

/** Removes the factor, any pending one and every recovery code. Returns whether there was a factor. */
export async function deleteMfa(tx: Queryable, tenantId: string, userId: string): Promise<boolean> {
  const rows = await tx.query<{ secret: string | null }>('delete from user_mfa where tenant_id = $1 and user_id = $2 returning secret', [tenantId, userId]);
  await tx.query('delete from mfa_recovery_codes where tenant_id = $1 and user_id = $2', [tenantId, userId]);
  await setMfaEnabled(tx, tenantId, userId, false);
  return rows.some((row) => row.secret !== null);
}

/** Account state (the account extension's mfaEnabled), not a new version of the resource, as lastLogin is. */
async function setMfaEnabled(tx: Queryable, tenantId: string, userId: string, enabled: boolean): Promise<void> {
  await tx.query('update users set mfa_enabled = $3 where tenant_id = $1 and id = $2', [tenantId, userId, enabled]);
}

export interface RecoveryCodeRow {
  [key: string]: unknown;
  id: string;
  salt: string;
  codeHash: string;
}

/** Replaces every recovery code of the user with new ones (already hashed). */
export async function replaceRecoveryCodes(
  tx: Queryable,
  tenantId: string,
  userId: string,
  codes: readonly { id: string; salt: string; codeHash: string }[],
  now: Date,
): Promise<void> {
  await tx.query('delete from mfa_recovery_codes where tenant_id = $1 and user_id = $2', [tenantId, userId]);
  await tx.query(
    `insert into mfa_recovery_codes (tenant_id, user_id, id, salt, code_hash, created_at)
     select $1, $2, c.id, c.salt, c.code_hash, $6
       from unnest($3::uuid[], $4::text[], $5::text[]) as c(id, salt, code_hash)`,
    [tenantId, userId, codes.map((c) => c.id), codes.map((c) => c.salt), codes.map((c) => c.codeHash), now.toISOString()],
  );
}

export async function selectUnusedRecoveryCodes(q: Queryable, tenantId: string, userId: string): Promise<RecoveryCodeRow[]> {
  return q.query<RecoveryCodeRow>(
    'select id, salt, code_hash as "codeHash" from mfa_recovery_codes where tenant_id = $1 and user_id = $2 and used_at is null',
    [tenantId, userId],
  );
}

/** Uses a recovery code; false when it was used meanwhile. */
export async function useRecoveryCode(tx: Queryable, tenantId: string, userId: string, id: string, now: Date): Promise<boolean> {
  const rows = await tx.query<{ id: string }>(
    'update mfa_recovery_codes set used_at = $4 where tenant_id = $1 and user_id = $2 and id = $3 and used_at is null returning id',
    [tenantId, userId, id, now.toISOString()],
  );
  return rows.length > 0;
}

export async function countUnusedRecoveryCodes(q: Queryable, tenantId: string, userId: string): Promise<number> {
  const rows = await q.query<{ count: number }>(
    'select count(*)::int as count from mfa_recovery_codes where tenant_id = $1 and user_id = $2 and used_at is null',
    [tenantId, userId],
  );
  return Number(rows[0]?.count ?? 0);
}

/** Counts a wrong code given with a sign-in token; returns how many it has had. */
export async function recordWrongCode(tx: Queryable, tenantId: string, tokenId: string): Promise<number> {
  const rows = await tx.query<{ failed_attempts: number }>(
    'update auth_tokens set failed_attempts = failed_attempts + 1 where tenant_id = $1 and id = $2 returning failed_attempts',
    [tenantId, tokenId],
  );
  return rows[0]?.failed_attempts ?? 0;
}

/** Whether the tenant requires a second factor of the users who hold users:write. */
export async function selectTenantRequiresMfa(q: Queryable, tenantId: string): Promise<boolean> {
  const rows = await q.query<{ mfa_required: boolean }>('select mfa_required from tenants where id = $1', [tenantId]);
  return rows[0]?.mfa_required ?? false;
}
