import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { Logger } from '@nestjs/common';
import { OccurrencePartitions, PARTITIONS_LOCK } from '../src/alerts/occurrence-partitions.service';
import { AlertsConfig, databaseConfigFrom, loadAppConfig } from '../src/config/configuration';
import { dataSourceOptions } from '../src/database/data-source-options';
import { logEvent } from './factories/log-event.factory';
import { POSTGRES_URL } from './support/infra';
import { createMigratedDatabase, dropDatabase, scratchPool } from './support/test-database';

const DAY_MS = 86_400_000;
const partition = (day: string) => `alert_occurrences_p${day.replace(/-/g, '')}`;
/** The partitions a round at `now` keeps: retention days back to two days ahead. */
const windowAt = (now: string, retentionDays: number) =>
  Array.from({ length: retentionDays + 3 }, (_, i) =>
    partition(
      new Date(Date.parse(now.slice(0, 10)) + (i - retentionDays) * DAY_MS)
        .toISOString()
        .slice(0, 10),
    ),
  );

// Partitions are global to a database, and these rounds run at made-up dates: a database of its own.
describe(OccurrencePartitions.name, () => {
  const name = `stacklens_test_${process.pid}_partitions_${randomUUID().slice(0, 8)}`;
  const config: AlertsConfig = { ...loadAppConfig({}).alerts, occurrenceRetentionDays: 3 };
  const dataSources: DataSource[] = [];
  let url: string;
  let db: Pool;
  let sut: OccurrencePartitions;

  const connect = async () => {
    const dataSource = new DataSource(
      dataSourceOptions(databaseConfigFrom({ DATABASE_URL: url, RUN_MIGRATIONS: 'false' })),
    );
    dataSources.push(await dataSource.initialize());
    return dataSource;
  };
  const partitions = async (): Promise<string[]> =>
    (
      await db.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'alert_occurrences'::regclass AND c.relname <> 'alert_occurrences_default'
          ORDER BY 1`,
      )
    ).rows.map((r) => r.name);
  const insertOccurrences = async (times: string[]) => {
    const ids = times.map(() => randomUUID().replace(/-/g, '').padEnd(64, '0'));
    await db.query(
      `INSERT INTO alert_occurrences (event_id, event_time, alert_id, source_topic,
                                      source_partition, source_offset, event)
       SELECT id, t, gen_random_uuid(), 'pos-logs', 0, 1, $3::jsonb
         FROM unnest($1::text[], $2::timestamptz[]) AS x(id, t)`,
      [ids, times, JSON.stringify(logEvent())],
    );
    return ids;
  };
  const homes = async (ids: string[]) =>
    (
      await db.query(
        `SELECT tableoid::regclass::text AS home FROM alert_occurrences
          WHERE event_id = ANY($1) ORDER BY event_time`,
        [ids],
      )
    ).rows.map((r) => r.home);

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    url = await createMigratedDatabase(POSTGRES_URL, name);
    db = scratchPool(url);
    sut = new OccurrencePartitions(await connect(), config);
  });

  afterEach(() => jest.mocked(Logger.prototype.log).mockClear());

  afterAll(async () => {
    jest.restoreAllMocks();
    await Promise.all(dataSources.map((d) => d.destroy()));
    await db?.end();
    await dropDatabase(POSTGRES_URL, name);
  });

  it('creates daily partitions from the retention horizon to two days ahead', async () => {
    const log = jest.spyOn(Logger.prototype, 'log');
    const now = '2030-03-10T12:00:00Z';
    const round = await sut.ensurePartitions(new Date(now));
    expect(round.created).toEqual(windowAt(now, 3));
    expect(log).toHaveBeenCalledTimes(6);
    expect(log).toHaveBeenCalledWith({
      msg: 'occurrence partition created',
      partition: partition('2030-03-10'),
      from: '2030-03-10 00:00+00',
      to: '2030-03-11 00:00+00',
    });
    expect(await partitions()).toEqual(windowAt(now, 3));
    const bound = await db.query(
      `SELECT pg_get_expr(relpartbound, oid) AS bound FROM pg_class WHERE relname = $1`,
      [partition('2030-03-10')],
    );
    expect(bound.rows[0].bound).toBe(
      `FOR VALUES FROM ('2030-03-10 00:00:00+00') TO ('2030-03-11 00:00:00+00')`,
    );
    await expect(sut.ensurePartitions(new Date(now))).resolves.toEqual({
      created: [],
      dropped: [],
      moved: 0,
      purged: 0,
    });
  });

  it("moves rows parked in the default partition into their day's new partition", async () => {
    const now = '2032-06-15T08:00:00Z';
    const inWindow = ['2032-06-14T10:00:00Z', '2032-06-14T23:59:59.999Z', '2032-06-17T00:00:00Z'];
    const ids = await insertOccurrences([...inWindow, '2032-07-30T00:00:00Z']);
    expect(await homes(ids)).toEqual(Array(4).fill('alert_occurrences_default'));

    const round = await sut.ensurePartitions(new Date(now));
    expect(round.moved).toBe(3);
    expect(await homes(ids)).toEqual([
      partition('2032-06-14'),
      partition('2032-06-14'),
      partition('2032-06-17'),
      'alert_occurrences_default',
    ]);
  });

  it('deletes rows of the default partition once they are older than the retention', async () => {
    const now = '2032-12-20T12:00:00Z';
    await sut.ensurePartitions(new Date(now));
    // No partition covers them: one from before the window (which starts at the horizon's day),
    // one from past its end.
    const [stale, future] = await insertOccurrences([
      '2032-12-16T23:59:59Z',
      '2033-06-01T00:00:00Z',
    ]);
    expect(await homes([stale, future])).toEqual(Array(2).fill('alert_occurrences_default'));
    const horizon = '2032-12-17T00:00:00Z'; // the first day kept
    const older = await db.query(
      `SELECT count(*)::int AS n FROM alert_occurrences_default WHERE event_time < $1`,
      [horizon],
    );

    const round = await sut.ensurePartitions(new Date(now));
    expect(round.purged).toBe(older.rows[0].n);
    expect(await homes([stale, future])).toEqual(['alert_occurrences_default']);
    expect(await homes([future])).toEqual(['alert_occurrences_default']);
  });

  it('drops whole partitions once their upper bound is older than the retention', async () => {
    const first = '2033-01-10T12:00:00Z';
    await sut.ensurePartitions(new Date(first));
    const [old] = await insertOccurrences(['2033-01-09T06:00:00Z']);
    const [kept] = await insertOccurrences(['2033-01-17T06:00:00Z']);

    const later = '2033-01-20T12:00:00Z';
    const round = await sut.ensurePartitions(new Date(later));
    expect(round.dropped).toEqual(expect.arrayContaining(windowAt(first, 3)));
    expect(await partitions()).toEqual(windowAt(later, 3));
    expect(await homes([old, kept])).toEqual([partition('2033-01-17')]);
  });

  it('runs safely on several instances at once: each partition is created once', async () => {
    const other = new OccurrencePartitions(await connect(), config);
    const now = '2034-02-01T00:30:00Z';
    const rounds = await Promise.all([
      sut.ensurePartitions(new Date(now)),
      other.ensurePartitions(new Date(now)),
    ]);
    expect(rounds.flatMap((r) => r.created).sort()).toEqual(windowAt(now, 3));
    expect(await partitions()).toEqual(windowAt(now, 3));
  });

  it('skips the round while another instance holds the lock', async () => {
    const holder = await db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [PARTITIONS_LOCK]);
      const before = await partitions();
      await expect(sut.ensurePartitions(new Date('2035-05-05T05:00:00Z'))).resolves.toEqual({
        created: [],
        dropped: [],
        moved: 0,
        purged: 0,
      });
      expect(await partitions()).toEqual(before);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });
});
