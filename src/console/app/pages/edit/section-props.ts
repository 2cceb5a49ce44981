// What every section of the edit dialog gets: the user as last read, and `run` to perform an action.
import type { User } from '../../scim-types';

/**
 * Runs an action: `work` resolves to the status message to announce; afterwards the dialog re-reads the user.
 * Resolves to the error when it failed (already announced), so a section can also show it next to its field.
 */
export type Run = (work: () => Promise<string>) => Promise<unknown>;

export interface SectionProps {
  readonly user: User;
  readonly busy: boolean;
  readonly run: Run;
}

export function errorText(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  return error instanceof Error ? error.message : String(error);
}
