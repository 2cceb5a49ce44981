// LOG_LEVEL=debug: one log line per SQL statement, with how long it took and how many rows it gave: never its
// parameters, which carry names, e-mail addresses and token digests.
import type { Logger } from '../http/logger.js';
import type { Queryable, Row, Store, Transaction } from './store.js';

const NAME_LENGTH = 100;

/** What a statement is called in the log: its text, blanks collapsed, cut at NAME_LENGTH characters. */
export function statementName(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > NAME_LENGTH ? `${flat.slice(0, NAME_LENGTH)}...` : flat;
}

function timed<Q extends Queryable>(q: Q, logger: Logger, inTransaction: boolean): Q['query'] {
  return async <T extends Row>(text: string, params?: readonly unknown[]): Promise<T[]> => {
    const started = performance.now();
    const fields = () => ({ statement: statementName(text), ms: Math.round((performance.now() - started) * 100) / 100, inTransaction });
    try {
      const rows = await q.query<T>(text, params);
      logger.debug('sql', { ...fields(), rows: rows.length });
      return rows;
    } catch (error) {
      logger.debug('sql', { ...fields(), failed: (error as { code?: string }).code ?? (error as Error).name });
      throw error;
    }
  };
}

/** The store, logging each statement at debug level (its own and those of its transactions). */
export function withStatementLog(store: Store, logger: Logger): Store {
  return {
    ...store,
    query: timed(store, logger, false),
    transaction: <T>(fn: (tx: Transaction) => Promise<T>) =>
      store.transaction((tx) => fn({ query: timed(tx, logger, true), execScript: (script) => tx.execScript(script) })),
  };
}
