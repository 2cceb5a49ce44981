// Server-wide secrets kept in the database, so that every instance on it signs and checks with the same key.
import { randomBytes } from 'node:crypto';
import type { Queryable } from './store.js';

/** The named 256-bit secret, created on first use; concurrent first uses agree on one value. */
export async function serverSecret(q: Queryable, name: string): Promise<Uint8Array> {
  await q.query('insert into server_secrets (name, value) values ($1, $2) on conflict (name) do nothing', [name, randomBytes(32).toString('hex')]);
  const rows = await q.query<{ value: string }>('select value from server_secrets where name = $1', [name]);
  return Buffer.from(rows[0]!.value, 'hex');
}
