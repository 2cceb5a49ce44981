// sql/0008 on data written before it: history rows get their actor's type where it can be told (best effort), and
// sent mails lose their bodies while unsent ones keep them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyToResource } from '../../src/resources/history/mapper.js';
import type { HistoryRow } from '../../src/resources/history/queries.js';
import { migrate } from '../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
const acme = randomUUID();
const globex = randomUUID();
const token = randomUUID();
const foreignToken = randomUUID();
const user = randomUUID();
const deleted = randomUUID();
const now = '2026-01-01T00:00:00.000Z';

/** Who wrote each old row: [the row's actor_id, its display]. */
const OLD_ROWS: Record<string, [string | null, string]> = {
  byToken: [token, 'Okta'],
  byUser: [user, 'Ada'],
  byDeletedUser: [deleted, 'Gone'],
  byLockout: [null, 'Usher'],
  byCli: ['cli', 'Usher CLI'],
  byUnknown: ['bench', 'bench'],
  byOtherTenantsToken: [foreignToken, 'Entra'],
};

beforeAll(async () => {
  db = await createTestDatabase({ migrateBefore: 8 });
  const q = db.store.query.bind(db.store);
  for (const [id, slug] of [[acme, 'acme'], [globex, 'globex']]) await q('insert into tenants (id, slug, name, created_at) values ($1, $2, $2, $3)', [id, slug, now]);
  await q('insert into api_tokens (tenant_id, id, label, token_hash, created_at) values ($1, $2, $3, $4, $5)', [acme, token, 'Okta', 'hash-1', now]);
  await q('insert into api_tokens (tenant_id, id, label, token_hash, created_at) values ($1, $2, $3, $4, $5)', [globex, foreignToken, 'Entra', 'hash-2', now]);
  await q(`insert into users (tenant_id, id, user_name, attributes, created_at, last_modified) values ($1, $2, 'ada', '{}', $3, $3)`, [acme, user, now]);
  // A user deleted since: only its own history remembers it.
  await q(
    `insert into history (tenant_id, id, resource_type, resource_id, resource_name, event, actor, actor_id, created_at)
     values ($1, $2, 'User', $3, 'gone', 'deleted', 'Okta', $4, $5)`,
    [acme, randomUUID(), deleted, token, now],
  );
  for (const [name, [actorId, display]] of Object.entries(OLD_ROWS)) {
    await q(
      `insert into history (tenant_id, id, resource_type, resource_id, resource_name, event, actor, actor_id, request_id, created_at)
       values ($1, $2, 'User', $3, 'ada', 'attributeChanged', $4, $5, $6, $7)`,
      [acme, randomUUID(), user, display, actorId, name, now],
    );
  }
  for (const [id, sent] of [[randomUUID(), now], [randomUUID(), null]]) {
    await q(
      `insert into outbox (tenant_id, id, kind, recipient, subject, text_body, html_body, created_at, next_attempt_at, sent_at, user_id)
       values ($1, $2, 'reset', 'ada@example.com', 'Reset', 'https://x.example/reset?token=secret', '<a>secret</a>', $3, $3, $4, $5)`,
      [acme, id, now, sent, user],
    );
  }
  expect(await migrate(db.store)).toContain('0008_history_actor_and_sent_mail.sql');
});
afterAll(() => db?.close());

describe('sql/0008 on older data', () => {
  it('gives each old history row the actor type it can be told by its id, in its own tenant only', async () => {
    const rows = await db.store.query<{ request_id: string; actor_type: string | null; actor_id: string | null }>(
      'select request_id, actor_type, actor_id from history where request_id is not null order by request_id',
    );
    expect(Object.fromEntries(rows.map((r) => [r.request_id, [r.actor_type, r.actor_id]]))).toEqual({
      byToken: ['token', token],
      byUser: ['user', user],
      byDeletedUser: ['user', deleted],
      byLockout: ['system', 'usher'],
      byCli: ['system', 'cli'],
      byUnknown: [null, 'bench'],
      byOtherTenantsToken: [null, foreignToken],
    });
  });

  it('shows an old row it could not place by its name alone', async () => {
    const [row] = await db.store.query<HistoryRow>(
      `select id, resource_type, resource_id, resource_name, event, attribute, old_value, new_value, actor, actor_type, actor_id, request_id, created_at
         from history where request_id = 'byUnknown'`,
    );
    expect(historyToResource(row!, 'http://usher.test/scim/v2')).toMatchObject({ updatedBy: 'bench', actor: { display: 'bench' } });
    expect(historyToResource(row!, 'http://usher.test/scim/v2').actor).not.toHaveProperty('type');
  });

  it('clears the bodies of sent mails and keeps those of mails still to send', async () => {
    const rows = await db.store.query<{ sent: boolean; text_body: string | null; html_body: string | null; user_id: string }>(
      'select sent_at is not null as sent, text_body, html_body, user_id from outbox order by sent_at nulls last',
    );
    expect(rows).toEqual([
      { sent: true, text_body: null, html_body: null, user_id: user },
      { sent: false, text_body: 'https://x.example/reset?token=secret', html_body: '<a>secret</a>', user_id: user },
    ]);
  });
});
