// A store that runs inside a transaction already open: work that must commit or roll back together (a bulk request's circular references) can still go through services written against a Store.
import type { Store, Transaction } from './store.js';

/**
 * Every query and every nested transaction of the returned store runs in `tx`; nothing commits until the
 * transaction that opened `tx` does. A nested transaction that throws aborts the whole of it: there are no savepoints.
 */
export function joinTransaction(kind: Store['kind'], tx: Transaction): Store {
  return {
    kind,
    query: (text, params, options) => tx.query(text, params, options),
    transaction: (fn) => fn(tx),
    close: () => Promise.resolve(),
  };
}
