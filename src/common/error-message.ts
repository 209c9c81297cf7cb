/** What a log line says of a caught value: an Error's message, else the value as text. */
export const errorMessage = (err: unknown): string =>
  err instanceof Error ? err.message : String(err);
