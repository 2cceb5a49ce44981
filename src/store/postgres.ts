// The PostgreSQL adapter of the store port, over a postgres.js connection pool.
import postgres from 'postgres';
import { translateError } from './errors.js';
import { createPostgresListener, type PostgresListener } from './postgres-listen.js';
import { withRetry } from './retry.js';
import type { QueryOptions, Row, Store, Transaction } from './store.js';

export interface PostgresOptions {
  readonly url: string;
  readonly poolSize: number;
  /** Each session's statement_timeout (ms; 0: none): a statement running longer is cancelled, its transaction rolled back. */
  readonly statementTimeoutMs: number;
}

type Sql = postgres.Sql | postgres.TransactionSql;

function adapt(sql: Sql): Transaction {
  return {
    async query<T extends Row>(text: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
      try {
        // An unnamed statement is planned for its values each time; a named (prepared) one may switch to a generic plan.
        const rows = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: options?.planEachTime !== true });
        return rows as unknown as T[];
      } catch (error) {
        throw translateError(error);
      }
    },
    async execScript(script: string): Promise<void> {
      // Many statements, no parameters: the simple query protocol runs them in one round trip.
      try {
        await sql.unsafe(script).simple();
      } catch (error) {
        throw translateError(error);
      }
    },
  };
}

export function createPostgresStore(options: PostgresOptions): Store {
  const sql = postgres(options.url, {
    max: options.poolSize,
    onnotice: () => {},
    // bigint columns (versions, counts) fit in a double for any real deployment; return numbers as PGlite does.
    types: {
      // A string given for a json or jsonb parameter is JSON text, as PGlite takes it; postgres.js alone would
      // encode it once more and store a JSON string in place of the document.
      json: {
        to: 114,
        from: [114, 3802],
        serialize: (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)),
        parse: (value: string) => JSON.parse(value) as unknown,
      },
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number) => String(value),
        parse: (value: string) => Number(value),
      },
    },
    // Usher's statements are short, indexed OLTP work; JIT compiling pays only on long analytic queries, and the
    // planner's over-estimates for some filters (not/or over group membership) made it add up to a second.
    // A statement over statement_timeout fails with 57014 (StoreError 'timeout'), so no request holds a
    // connection and its locks for ever.
    connection: { application_name: 'usher', jit: 'off', statement_timeout: options.statementTimeoutMs },
  });
  const root = adapt(sql);
  // Opened on the first listen(): a store that never listens (the command line) keeps to its pool.
  let listener: PostgresListener | undefined;
  return {
    kind: 'postgres',
    query: root.query,
    transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      return withRetry(async () => {
        try {
          return (await sql.begin((tx) => fn(adapt(tx)))) as T;
        } catch (error) {
          throw translateError(error);
        }
      });
    },
    listen(channel, onChannel) {
      listener ??= createPostgresListener(options.url);
      return listener.listen(channel, onChannel);
    },
    async close(): Promise<void> {
      await Promise.all([sql.end({ timeout: 5 }), listener?.close()]);
    },
  };
}
