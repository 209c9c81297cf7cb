/**
 * How the consume path treats a failed write:
 * - `transient`: the database (or this pod's access to it) is unavailable, or another instance
 *   won a race. Retry with backoff, keep the offsets; the stall watchdog moves the partitions
 *   if it lasts.
 * - `data`: Postgres can never store this row (SQLSTATE 22 data exception, e.g. \u0000 in jsonb;
 *   23 integrity violation; 54 program limit, e.g. JSON nested too deep). Find the row and
 *   dead-letter it as UNSTORABLE.
 * - `unknown`: anything else, including a bug in our code (a TypeError). Retried a bounded
 *   number of times, then message by message, and what still fails is dead-lettered as
 *   PROCESSING_FAILED, to be replayed once fixed.
 */
export type ErrorClass = 'transient' | 'data' | 'unknown';

/** SQLSTATE classes and codes of an unavailable database, or of access to it from this pod. */
const TRANSIENT_CLASSES = ['08', '53', '28'];
const TRANSIENT_CODES = ['57P01', '57P02', '57P03', '57014', '40001', '40P01', '55P03', '55006'];
const DATA_CLASSES = ['22', '23', '54'];
/** Unique index that another instance may hit first when it opens the same fingerprint. */
const RACE_CONSTRAINTS = ['alerts_open_fingerprint_uq'];
/** node-postgres and Node socket failures carry no SQLSTATE. */
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /query read timeout/i,
  /connection (is )?(closed|ended|refused|reset)/i,
  /client has encountered a connection error/i,
];

/**
 * Another instance (or partition) won a race for the same alert, or a deadlock between two
 * batches was broken: normal when several partitions see the same problem at once. Transient,
 * and resolved by simply trying again: no outage.
 */
export function isLostRace(err: unknown): boolean {
  const e = (err ?? {}) as {
    code?: unknown;
    constraint?: unknown;
    race?: unknown;
    driverError?: { code?: unknown; constraint?: unknown };
  };
  if (e.race === true) return true;
  const code = e.code ?? e.driverError?.code;
  // Two batches touching the same alerts in another order: Postgres aborts one, the retry wins.
  if (code === '40P01') return true;
  const constraint = e.constraint ?? e.driverError?.constraint;
  return code === '23505' && RACE_CONSTRAINTS.includes(constraint as string);
}

export function classifyDatabaseError(err: unknown): ErrorClass {
  const e = (err ?? {}) as {
    code?: unknown;
    message?: unknown;
    transient?: unknown;
    driverError?: { code?: unknown };
  };
  if (e.transient === true || isLostRace(err)) return 'transient';
  const code = typeof e.code === 'string' ? e.code : e.driverError?.code;
  if (typeof code === 'string') {
    if (/^E[A-Z]+$/.test(code)) return 'transient'; // ECONNREFUSED, ECONNRESET, ETIMEDOUT...
    if (TRANSIENT_CODES.includes(code) || TRANSIENT_CLASSES.includes(code.slice(0, 2))) {
      return 'transient';
    }
    if (DATA_CLASSES.includes(code.slice(0, 2))) return 'data';
  }
  const message = typeof e.message === 'string' ? e.message : '';
  if (TRANSIENT_MESSAGES.some((re) => re.test(message))) return 'transient';
  return 'unknown';
}

/** A short description that is safe to log: pg messages carry no credentials, connection strings do. */
export function describeDatabaseError(err: unknown): { code?: string; error: string } {
  const e = err as { code?: unknown; message?: unknown } | null;
  return {
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    error: typeof e?.message === 'string' ? e.message.slice(0, 500) : String(err),
  };
}
