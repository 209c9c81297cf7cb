import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AutoResolveSweeper } from '../src/alerts/auto-resolve.sweeper';
import { AlertsConfig, databaseConfigFrom, loadAppConfig } from '../src/config/configuration';
import { dataSourceOptions } from '../src/database/data-source-options';
import { logEvent } from './factories/log-event.factory';
import { eventually } from './support/eventually';
import { POSTGRES_URL } from './support/infra';
import { createMigratedDatabase, dropDatabase, scratchPool } from './support/test-database';

const QUIET_MS = 60_000;

// A sweep resolves every quiet alert of its database: give it one of its own.
describe(AutoResolveSweeper.name, () => {
  const name = `stacklens_test_${process.pid}_autoresolve_${randomUUID().slice(0, 8)}`;
  const config: AlertsConfig = { ...loadAppConfig({}).alerts, autoResolveAfterMs: QUIET_MS };
  const dataSources: DataSource[] = [];
  let url: string;
  let db: Pool;
  let sut: AutoResolveSweeper;

  const connect = async () => {
    const dataSource = new DataSource(
      dataSourceOptions(databaseConfigFrom({ DATABASE_URL: url, RUN_MIGRATIONS: 'false' })),
    );
    dataSources.push(await dataSource.initialize());
    return dataSource;
  };

  /** `count` alerts whose last event arrived `quietMs` ago; returns their ids. */
  const insertAlerts = async (
    count: number,
    quietMs: number,
    status: 'open' | 'acknowledged' | 'resolved' = 'open',
  ): Promise<string[]> => {
    const event = JSON.stringify(logEvent());
    const { rows } = await db.query(
      `INSERT INTO alerts (id, fingerprint, detector, group_labels, issue_code, severity,
                           suggested_fix, confidence, raw_log, last_event, metadata, status,
                           occurrences, first_seen_at, last_seen_at, last_received_at,
                           acknowledged_at, resolved_at, resolution_reason)
       SELECT gen_random_uuid(), encode(sha256(gen_random_uuid()::text::bytea), 'hex'),
              'price-missing', '{"service":"pos-demo","product_id":"prod-1"}', 'PRICE_MISSING',
              'critical', 'fix it', 1, $2::jsonb, $2::jsonb, '{}', $4::text, 1, t, t, t,
              CASE WHEN $4::text = 'acknowledged' THEN t END,
              CASE WHEN $4::text = 'resolved' THEN t END,
              CASE WHEN $4::text = 'resolved' THEN 'manual' END
         FROM generate_series(1, $1::int), LATERAL (SELECT now() - $3::bigint * interval '1 millisecond') AS x(t)
       RETURNING id`,
      [count, event, quietMs, status],
    );
    return rows.map((r) => r.id);
  };
  const alerts = async (ids: string[]) =>
    (
      await db.query(
        `SELECT a.status, a.resolution_reason, a.resolved_by, a.version,
                (a.resolved_at IS NOT NULL) AS has_resolved_at,
                coalesce(json_agg(json_build_object(
                  'from', x.from_status, 'to', x.to_status, 'action', x.action,
                  'actor', x.actor, 'reason', x.reason, 'same_time', x.at = a.resolved_at))
                  FILTER (WHERE x.id IS NOT NULL), '[]') AS activity
           FROM alerts a LEFT JOIN alert_activity x ON x.alert_id = a.id
          WHERE a.id = ANY($1) GROUP BY a.id`,
        [ids],
      )
    ).rows;
  const quietlyResolved = (from: string) => ({
    status: 'resolved',
    resolution_reason: 'quiet',
    resolved_by: 'system',
    version: 2,
    has_resolved_at: true,
    activity: [
      {
        from,
        to: 'resolved',
        action: 'resolved',
        actor: 'system',
        reason: 'quiet',
        same_time: true,
      },
    ],
  });

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    url = await createMigratedDatabase(POSTGRES_URL, name);
    db = scratchPool(url);
    sut = new AutoResolveSweeper(await connect(), config);
  });

  beforeEach(() => db.query(`TRUNCATE alerts CASCADE`));

  afterAll(async () => {
    jest.restoreAllMocks();
    await Promise.all(dataSources.map((d) => d.destroy()));
    await db?.end();
    await dropDatabase(POSTGRES_URL, name);
  });

  it('resolves alerts quiet for longer than the period, with one activity row each', async () => {
    const quiet = await insertAlerts(4, QUIET_MS + 60_000);
    const [acknowledged] = await insertAlerts(1, QUIET_MS + 60_000, 'acknowledged');
    const fresh = await insertAlerts(2, QUIET_MS - 20_000);
    const [resolvedBefore] = await insertAlerts(1, 10 * QUIET_MS, 'resolved');

    await expect(sut.sweep()).resolves.toBe(5);

    expect(await alerts(quiet)).toEqual(Array(4).fill(quietlyResolved('open')));
    expect(await alerts([acknowledged])).toEqual([quietlyResolved('acknowledged')]);
    expect((await alerts(fresh)).map((a) => [a.status, a.activity])).toEqual([
      ['open', []],
      ['open', []],
    ]);
    expect(await alerts([resolvedBefore])).toEqual([
      expect.objectContaining({ resolution_reason: 'manual', version: 1, activity: [] }),
    ]);
    await expect(sut.sweep()).resolves.toBe(0);
  });

  it('resolves each alert exactly once when several instances sweep at the same time', async () => {
    // More than one batch (1,000), so both sweepers loop and contend.
    const ids = await insertAlerts(2_500, QUIET_MS + 60_000);
    const sweepers = [sut, new AutoResolveSweeper(await connect(), config)];

    const counts = await Promise.all(sweepers.map((s) => s.sweep()));

    expect(counts[0] + counts[1]).toBe(ids.length);
    const { rows } = await db.query(
      `SELECT count(*)::int AS activity, count(DISTINCT alert_id)::int AS alerts,
              (SELECT count(*)::int FROM alerts WHERE status = 'resolved' AND version = 2) AS resolved
         FROM alert_activity`,
    );
    expect(rows).toEqual([{ activity: ids.length, alerts: ids.length, resolved: ids.length }]);
  });

  it('sweeps on its own timer from bootstrap until shutdown', async () => {
    const timed = new AutoResolveSweeper(dataSources[0], { ...config, autoResolveAfterMs: 400 });
    const [id] = await insertAlerts(1, 60_000);
    timed.onApplicationBootstrap();
    try {
      await eventually(async () => {
        expect(await alerts([id])).toEqual([quietlyResolved('open')]);
      });
    } finally {
      await timed.beforeApplicationShutdown();
    }
  });
});
