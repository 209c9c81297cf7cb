import { Client } from 'pg';
import { testDatabaseUrl } from './infra';

export interface HeldLock {
  /** Ends the holding transaction; safe to call more than once. */
  release(): Promise<void>;
}

/**
 * Takes an ACCESS EXCLUSIVE lock on `table` in a transaction of its own and keeps it until
 * released: every statement of the service touching the table waits meanwhile, which is how a
 * spec makes a write run past a timeout without stopping the database.
 */
export async function lockTable(table: string): Promise<HeldLock> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  let released: Promise<void> | null = null;
  return {
    release() {
      released ??= client.query('ROLLBACK').then(
        () => client.end(),
        () => client.end(),
      );
      return released;
    },
  };
}

/** The test database URL with a server-side statement_timeout for every connection made with it. */
export function urlWithStatementTimeout(ms: number): string {
  const url = testDatabaseUrl();
  const options = encodeURIComponent(`-c statement_timeout=${ms}`);
  return `${url}${url.includes('?') ? '&' : '?'}options=${options}`;
}
