// Re-runs a transaction that lost a serialization race or a deadlock, with a short jittered pause.
import { isRetryable } from './errors.js';

const MAX_ATTEMPTS = 5;

export async function withRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}
