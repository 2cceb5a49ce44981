// Records the SQL an app sends while a test says so: the statements a request issues, with their parameters, for
// tests that read their plans (EXPLAIN) or check what they name.
import type { QueryOptions, Row, Store } from '../../src/store/index.js';

export interface RecordedStatement {
  readonly text: string;
  readonly params: readonly unknown[];
  readonly options?: QueryOptions;
}

export interface StatementRecorder {
  /** Wraps the app's store (TestOptions.wrapStore): its plain statements are recorded while recording is on. */
  wrap(store: Store): Store;
  /** Runs `work` with recording on and gives back what it recorded, in order. */
  during(work: () => Promise<unknown>): Promise<RecordedStatement[]>;
}

export function statementRecorder(): StatementRecorder {
  let recorded: RecordedStatement[] | undefined;
  return {
    wrap: (store) => ({
      ...store,
      query<T extends Row>(text: string, params: readonly unknown[] = [], options?: QueryOptions) {
        recorded?.push({ text, params, ...(options ? { options } : {}) });
        return store.query<T>(text, params, options);
      },
    }),
    async during(work) {
      const statements: RecordedStatement[] = [];
      recorded = statements;
      try {
        await work();
      } finally {
        recorded = undefined;
      }
      return statements;
    },
  };
}
