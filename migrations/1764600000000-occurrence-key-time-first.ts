import type { ClientBase, QueryConfig } from 'pg';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The index builds may take far longer than DATABASE_QUERY_TIMEOUT_MS, the statement timeout
 * every connection of the service has (migrations included): the server's is lifted for this
 * transaction, and the client's is raised to this, which still ends a black-holed connection.
 */
const BUILD_TIMEOUT_MS = 6 * 60 * 60 * 1000;
/**
 * Waiting longer for the table's lock would queue every writer behind this migration: past this
 * it fails (55P03), the service does not start, and the next start tries again.
 */
const LOCK_TIMEOUT = '10s';

/**
 * alert_occurrences' primary key leads with event_time instead of the event's identity. The
 * identity is a sha256, so a key led by it sends every insert to a random leaf of the index: once
 * a day's partition outgrows the buffer cache, each row costs a page read and, after every
 * checkpoint, a full-page image in the WAL. Events arrive roughly in time order, so a key led by
 * event_time is written at its right edge. Same columns, so the same rows are unique, and
 * `ON CONFLICT DO NOTHING` still finds copies.
 *
 * Measured with ~450-byte events, 200k rows per INSERT, on this project's 2-core machine: the key
 * cost ~8.5 µs a row led by the identity and ~2.5 led by time in an empty table; at 2.4M rows
 * (index larger than shared_buffers) the first had grown to ~20 µs, the second not at all.
 *
 * Rebuilding a primary key holds an ACCESS EXCLUSIVE lock on every partition while its index is
 * built: writes and API reads of occurrences wait (the consumer's writes time out and retry), for
 * about as long as sorting the stored rows takes.
 */
export class OccurrenceKeyTimeFirst1764600000000 implements MigrationInterface {
  name = 'OccurrenceKeyTimeFirst1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await this.key(q, 'event_time, event_id');
  }

  async down(q: QueryRunner): Promise<void> {
    await this.key(q, 'event_id, event_time');
  }

  /** One transaction (migrationsTransactionMode 'each'): no moment without a unique key. */
  private async key(q: QueryRunner, columns: string): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await q.query(`SET LOCAL statement_timeout = 0`);
    // The migration's own connection (QueryRunner.connect): pg's Client.query takes a
    // query_timeout per query over the pool's (its types leave the field out).
    const client = (await q.connect()) as ClientBase;
    for (const text of [
      `ALTER TABLE alert_occurrences DROP CONSTRAINT alert_occurrences_pkey`,
      `ALTER TABLE alert_occurrences ADD CONSTRAINT alert_occurrences_pkey PRIMARY KEY (${columns})`,
    ]) {
      const query: QueryConfig & { query_timeout: number } = {
        text,
        query_timeout: BUILD_TIMEOUT_MS,
      };
      await client.query(query);
    }
  }
}
