// Watching the statements a store runs: how long each took, how many rows it gave, whether it failed. The server
// counts them for /metrics and, at LOG_LEVEL=debug, logs each one: never with its parameters, which carry names,
// e-mail addresses and token digests.
import type { Logger } from '../http/logger.js';
import type { Queryable, QueryOptions, Row, Store, Transaction } from './store.js';

const NAME_LENGTH = 100;

/** What a statement is called in the log: its text, blanks collapsed, cut at NAME_LENGTH characters. */
export function statementName(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > NAME_LENGTH ? `${flat.slice(0, NAME_LENGTH)}...` : flat;
}

export interface StatementRun {
  readonly text: string;
  readonly seconds: number;
  readonly inTransaction: boolean;
  /** Rows returned; undefined when it failed. */
  readonly rows: number | undefined;
  /** The SQLSTATE or error name when it failed. */
  readonly failed: string | undefined;
}

export interface StatementObserver {
  /** A statement is sent (before its answer). */
  started?(): void;
  /** Its answer came, or its error. */
  ended(run: StatementRun): void;
}

function observed<Q extends Queryable>(q: Q, observer: StatementObserver, inTransaction: boolean): Q['query'] {
  return async <T extends Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]> => {
    const started = performance.now();
    observer.started?.();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const rows = await q.query<T>(text, params, options);
      observer.ended({ text, seconds: seconds(), inTransaction, rows: rows.length, failed: undefined });
      return rows;
    } catch (error) {
      observer.ended({ text, seconds: seconds(), inTransaction, rows: undefined, failed: (error as { code?: string }).code ?? (error as Error).name });
      throw error;
    }
  };
}

/** The store, telling the observer of each statement it runs, its own and its transactions'. */
export function observeStatements(store: Store, observer: StatementObserver): Store {
  return {
    ...store,
    query: observed(store, observer, false),
    transaction: <T>(fn: (tx: Transaction) => Promise<T>) =>
      store.transaction((tx) => fn({ query: observed(tx, observer, true), execScript: (script) => tx.execScript(script) })),
  };
}

/** The store, logging each statement at debug level: its text cut short, its time and rows. */
export function withStatementLog(store: Store, logger: Logger): Store {
  return observeStatements(store, {
    ended: (run) =>
      logger.debug('sql', {
        statement: statementName(run.text),
        ms: Math.round(run.seconds * 100_000) / 100,
        inTransaction: run.inTransaction,
        ...(run.failed === undefined ? { rows: run.rows } : { failed: run.failed }),
      }),
  });
}
