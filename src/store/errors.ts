// Database errors by meaning: the only place that knows SQLSTATE codes.

export type StoreErrorKind = 'unique' | 'foreignKey' | 'check' | 'retryable' | 'timeout';

/** A constraint or concurrency failure the caller can act on; constraint names which one. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly kind: StoreErrorKind,
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(kind === 'timeout' ? 'statement cancelled: statement_timeout' : `${kind} violation${constraint ? ` (${constraint})` : ''}`, options);
  }
}

const KIND_BY_SQLSTATE: Record<string, StoreErrorKind> = {
  '23505': 'unique',
  '23503': 'foreignKey',
  '23514': 'check',
  '40001': 'retryable', // serialization_failure
  '40P01': 'retryable', // deadlock_detected
  '57014': 'timeout', // query_canceled: statement_timeout; the transaction is rolled back
};

/** Translates a driver error (postgres.js or PGlite, both carry `code` and a constraint name) to a StoreError. */
export function translateError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const e = error as { code?: unknown; constraint_name?: unknown; constraint?: unknown };
  const kind = typeof e.code === 'string' ? KIND_BY_SQLSTATE[e.code] : undefined;
  if (!kind) return error;
  const constraint = e.constraint_name ?? e.constraint;
  return new StoreError(kind, typeof constraint === 'string' ? constraint : undefined, { cause: error });
}

/** A statement PostgreSQL cancelled for running over statement_timeout; its transaction wrote nothing. */
export function isTimeout(error: unknown): boolean {
  return error instanceof StoreError && error.kind === 'timeout';
}

export function isRetryable(error: unknown): boolean {
  return error instanceof StoreError && error.kind === 'retryable';
}
