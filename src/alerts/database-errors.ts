/**
 * SQLSTATE classes that mean "this row can never be stored", as opposed to "the database is
 * unavailable right now": 22 data exception (e.g. \u0000 in jsonb), 23 integrity violation
 * (a CHECK), 54 program limit exceeded (e.g. JSON nested too deep).
 */
const PERMANENT_CLASSES = ['22', '23', '54'];

export function isPermanentDatabaseError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PERMANENT_CLASSES.includes(code.slice(0, 2));
}

/** A short description that is safe to log: pg messages carry no credentials, connection strings do. */
export function describeDatabaseError(err: unknown): { code?: string; error: string } {
  const e = err as { code?: unknown; message?: unknown } | null;
  return {
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    error: typeof e?.message === 'string' ? e.message.slice(0, 500) : String(err),
  };
}
