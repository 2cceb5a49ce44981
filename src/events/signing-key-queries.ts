// SQL of the server's SET signing keys (signing_keys, sql/0017): a reference table, one for every tenant.
import type { Queryable } from '../store/index.js';

export type SigningKeyRow = {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown> & { kid: string; alg: string; use: 'sig' };
  private_jwk: string;
  created_at: Date;
  retired_at: Date | null;
};

export async function insertSigningKey(q: Queryable, key: Pick<SigningKeyRow, 'kid' | 'alg' | 'public_jwk' | 'private_jwk' | 'created_at'>): Promise<void> {
  await q.query('insert into signing_keys (kid, alg, public_jwk, private_jwk, created_at) values ($1, $2, $3, $4, $5)', [
    key.kid,
    key.alg,
    key.public_jwk,
    key.private_jwk,
    key.created_at,
  ]);
}

/** The key that signs: the newest not retired (two instances starting at once may each have made one). */
export async function selectCurrentSigningKey(q: Queryable): Promise<SigningKeyRow | undefined> {
  return (await q.query<SigningKeyRow>('select * from signing_keys where retired_at is null order by created_at desc, kid limit 1'))[0];
}

/** The keys published in the JWKS: not retired, or retired after `since`. */
export async function selectPublishedKeys(q: Queryable, since: Date): Promise<Pick<SigningKeyRow, 'public_jwk'>[]> {
  return q.query('select public_jwk from signing_keys where retired_at is null or retired_at > $1 order by created_at desc, kid', [since]);
}

export async function selectSigningKeys(q: Queryable): Promise<Pick<SigningKeyRow, 'kid' | 'alg' | 'created_at' | 'retired_at'>[]> {
  return q.query('select kid, alg, created_at, retired_at from signing_keys order by created_at desc, kid');
}

export async function retireSigningKeys(q: Queryable, except: string, at: Date): Promise<string[]> {
  const rows = await q.query<{ kid: string }>('update signing_keys set retired_at = $1 where retired_at is null and kid <> $2 returning kid', [at, except]);
  return rows.map((r) => r.kid);
}

export async function deleteSigningKeysRetiredBefore(q: Queryable, before: Date): Promise<string[]> {
  const rows = await q.query<{ kid: string }>('delete from signing_keys where retired_at <= $1 returning kid', [before]);
  return rows.map((r) => r.kid);
}
