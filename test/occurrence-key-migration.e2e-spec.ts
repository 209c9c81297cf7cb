import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../migrations';
import { OccurrenceKeyTimeFirst1764600000000 } from '../migrations/1764600000000-occurrence-key-time-first';
import { databaseConfigFrom } from '../src/config/configuration';
import { dataSourceOptions } from '../src/database/data-source-options';
import { POSTGRES_URL } from './support/infra';
import { createDatabaseMigratedTo, dropDatabase, scratchPool } from './support/test-database';

const upTo = migrations.indexOf(OccurrenceKeyTimeFirst1764600000000);

/** The primary key's columns, in index order, of alert_occurrences and of each partition. */
async function keyColumns(db: Pool): Promise<Record<string, string>> {
  const { rows } = await db.query<{ table: string; columns: string }>(
    `SELECT c.relname AS table, string_agg(a.attname, ', ' ORDER BY k.ord) AS columns
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indisprimary AND c.relname LIKE 'alert_occurrences%'
      GROUP BY c.relname`,
  );
  return Object.fromEntries(rows.map((r) => [r.table, r.columns]));
}

const hex = (n: number) => n.toString(16).padStart(64, '0');
const BULK_ROWS = 300_000;
const insert = (db: Pool, id: string, time: string) =>
  db.query(
    `INSERT INTO alert_occurrences (event_id, event_time, alert_id, source_topic,
                                    source_partition, source_offset, event)
     VALUES ($1, $2, $3, 'pos-logs', 0, 0, '{}') ON CONFLICT DO NOTHING`,
    [id, time, randomUUID()],
  );

describe(OccurrenceKeyTimeFirst1764600000000.name, () => {
  const name = `stacklens_test_${process.pid}_okey_${randomUUID().slice(0, 8)}`;
  let db: Pool;
  let dataSource: DataSource;

  beforeAll(async () => {
    const url = await createDatabaseMigratedTo(POSTGRES_URL, name, upTo);
    db = scratchPool(url);
    // One day's partition, as OccurrencePartitions makes them, and rows in it and the default.
    await db.query(`CREATE TABLE alert_occurrences_p20260101 PARTITION OF alert_occurrences
                      FOR VALUES FROM ('2026-01-01') TO ('2026-01-02')`);
    for (let i = 0; i < 20; i++) {
      await insert(db, hex(i), i % 2 ? '2026-01-01T10:00:00Z' : '2025-06-01T10:00:00Z');
    }
    // Enough rows that rebuilding the key takes far longer than the statement timeout below.
    await db.query(`
      INSERT INTO alert_occurrences (event_id, event_time, alert_id, source_topic,
                                     source_partition, source_offset, event)
      SELECT md5(g::text) || md5(g::text), '2026-01-01T00:00:00Z'::timestamptz + g * interval '1 ms',
             gen_random_uuid(), 'pos-logs', 0, g, '{}'
        FROM generate_series(1, ${BULK_ROWS}) AS g`);
    // The service's connections, migrations included, cancel a statement past this.
    const config = databaseConfigFrom({
      DATABASE_URL: url,
      RUN_MIGRATIONS: 'false',
      DATABASE_QUERY_TIMEOUT_MS: '100',
    });
    dataSource = new DataSource({
      ...dataSourceOptions(config),
      migrations: migrations.slice(0, upTo + 1),
    });
    await dataSource.initialize();
    const ran = await dataSource.runMigrations();
    expect(ran.map((m) => m.name)).toEqual([OccurrenceKeyTimeFirst1764600000000.name]);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.end();
    await dropDatabase(POSTGRES_URL, name);
  });

  it('leads the key with event_time, on the table and every partition, past the statement timeout', async () => {
    expect(await keyColumns(db)).toEqual({
      alert_occurrences: 'event_time, event_id',
      alert_occurrences_default: 'event_time, event_id',
      alert_occurrences_p20260101: 'event_time, event_id',
    });
  });

  it('keeps every row, and still refuses a copy of a stored event', async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM alert_occurrences`);
    expect(rows).toEqual([{ n: 20 + BULK_ROWS }]);
    expect((await insert(db, hex(1), '2026-01-01T10:00:00Z')).rowCount).toBe(0);
    expect((await insert(db, hex(1), '2026-01-01T10:00:01Z')).rowCount).toBe(1);
  });

  it('reverts to the key led by the identity', async () => {
    await dataSource.undoLastMigration();
    expect(await keyColumns(db)).toEqual({
      alert_occurrences: 'event_id, event_time',
      alert_occurrences_default: 'event_id, event_time',
      alert_occurrences_p20260101: 'event_id, event_time',
    });
  });
});
