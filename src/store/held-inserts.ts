// Inserts whose result nobody reads, held back and sent as one statement: fewer round trips for a change that writes several tables at once.
import type { Queryable, QueryOptions, Row } from './store.js';

/** A Queryable that holds back plain inserts; `send()` sends what it holds. */
export interface HeldInserts extends Queryable {
  /** Sends the inserts held, as one statement; a no-op when none is held. */
  send(): Promise<void>;
}

const PLAIN_INSERT = /^\s*insert\s+into\b/i;
const RETURNING = /\breturning\b/i;
const PARAMETER = /\$(\d+)/g;

/**
 * Wraps `q` (a transaction): an `insert into ...` without `returning` is held and answered with no rows at once;
 * any other statement first sends what is held, then runs. The inserts held are sent as one statement, each a
 * data-modifying WITH query (PostgreSQL runs every one of them to completion, read or not), their parameters
 * renumbered after one another's. They share one snapshot and run in no defined order, so only inserts that
 * neither read each other's rows nor depend on each other's order may go through one (a new user's welcome link,
 * its outbox row and its history entries, after the user's row). An error in any of them fails the statement,
 * and with it the transaction, as it would have failed alone; the caller must `send()` before it commits.
 */
export function holdInserts(q: Queryable): HeldInserts {
  let held: { text: string; params: readonly unknown[] }[] = [];

  async function send(): Promise<void> {
    if (held.length === 0) return;
    const statements = held;
    held = [];
    if (statements.length === 1) {
      await q.query(statements[0]!.text, statements[0]!.params);
      return;
    }
    const params: unknown[] = [];
    const parts = statements.map((s) => {
      const offset = params.length;
      params.push(...s.params);
      return s.text.replace(PARAMETER, (_, n: string) => `$${Number(n) + offset}`);
    });
    const last = parts.pop()!;
    await q.query(`with ${parts.map((text, i) => `held_${i} as (${text})`).join(', ')} ${last}`, params);
  }

  return {
    async query<T extends Row = Row>(text: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
      if (PLAIN_INSERT.test(text) && !RETURNING.test(text)) {
        held.push({ text, params });
        return [];
      }
      await send();
      return q.query<T>(text, params, options);
    },
    send,
  };
}
