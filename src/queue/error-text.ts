// Turns an error into the short, one-line text a queue stores in its last_error column and writes to the log.

const MAX_ERROR_LENGTH = 300;

/** The error's name and message, or the thrown value as text: never its stack. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Folds whitespace to single spaces and cuts the text to MAX_ERROR_LENGTH characters, an ellipsis marking the cut. */
export function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_ERROR_LENGTH ? `${flat.slice(0, MAX_ERROR_LENGTH - 1)}…` : flat;
}
