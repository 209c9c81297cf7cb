import { createHash, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import stringify from 'safe-stable-stringify';
import { DataSource } from 'typeorm';
import { AlertGroups1764400000000 } from '../migrations/1764400000000-alert-groups';
import { migrations } from '../migrations';
import { databaseConfigFrom } from '../src/config/configuration';
import { eventIdentity } from '../src/events/event-identity';
import { fingerprintOf } from '../src/events/fingerprint';
import { dataSourceOptions } from '../src/database/data-source-options';
import { logEvent } from './factories/log-event.factory';
import { POSTGRES_URL } from './support/infra';
import { createDatabaseMigratedTo, dropDatabase, scratchPool } from './support/test-database';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const fingerprint = (detector: string, ...values: Array<string | null>) =>
  sha256(JSON.stringify([detector, 1, ...values]));

/** A row of migration 1's per-event table, as the per-event writer stored it. */
function oldRow(event: Record<string, any>, overrides: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    event_key: sha256(
      [
        event.service,
        event.request_id,
        event.error_code,
        new Date(event.timestamp).toISOString(),
      ].join('\u0000'),
    ),
    issue_code: event.error_code,
    severity: 'critical',
    suggested_fix: 'fix it',
    confidence: 1,
    raw_log: event,
    status: 'open',
    jira_issue_key: null,
    metadata: { request_id: event.request_id, service: event.service, log_level: event.log_level },
    occurred_at: event.timestamp,
    source_topic: 'pos-logs',
    source_partition: 0,
    source_offset: String(Math.floor(Math.random() * 1e9)),
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    resolved_at: null,
    ...overrides,
  };
}

/** Spread over about a week of event times, so the migration has several days to partition. */
let minute = 0;
const at = () => new Date(Date.now() - (minute += 9) * 60_000).toISOString();
const events = (n: number, overrides: Record<string, unknown>) =>
  Array.from({ length: n }, () => logEvent({ timestamp: at(), ...overrides }));

describe(AlertGroups1764400000000.name, () => {
  const name = `stacklens_test_${process.pid}_groups_${randomUUID().slice(0, 8)}`;
  let url: string;
  let db: Pool;
  let dataSource: DataSource;

  const withId = { ...logEvent({ timestamp: at(), product_id: 'prod-A' }), event_id: 'evt-42' };
  const truncatedEvent = logEvent({ timestamp: at() });
  const truncated = oldRow(truncatedEvent, {
    raw_log: { truncated: true, original_bytes: 9000, preview: '{"request_id":"req-' },
    metadata: {
      request_id: truncatedEvent.request_id,
      service: 'pos-demo',
      log_level: 'error',
      raw_log_truncated: true,
    },
  });
  const resolvedAt = new Date(Date.now() - 3_600_000).toISOString();
  const prodRResolvedAt = [0, 1, 2].map((i) => new Date(Date.now() - i * 60_000));
  const rows = [
    ...events(948, { product_id: 'prod-A' }).map((e) => oldRow(e)),
    oldRow(logEvent({ timestamp: at(), product_id: 'prod-A' }), {
      status: 'resolved',
      resolved_at: resolvedAt,
    }),
    oldRow(withId),
    ...Array.from({ length: 10 }, (_, i) => events(5, { product_id: `prod-B${i}` }))
      .flat()
      .map((e) => oldRow(e)),
    ...events(40, { error_code: 'DATABASE_ERROR' }).map((e) => oldRow(e)),
    ...events(30, { error_code: 'DATABASE_TIMEOUT' }).map((e) => oldRow(e)),
    ...events(10, { error_code: 'DATABASE_ERROR', service: 'pos-kiosk' }).map((e) => oldRow(e)),
    ...events(30, { error_code: 'TIMEOUT', endpoint: '/pay' }).map((e) => oldRow(e)),
    ...events(20, { error_code: 'INVALID_ORDER' }).map((e) => oldRow(e)),
    ...events(5, { error_code: 'CARD_DECLINED' }).map((e) => oldRow(e)),
    ...events(3, { product_id: 'prod-R' }).map((e, i) =>
      oldRow(e, { status: 'resolved', resolved_at: prodRResolvedAt[i] }),
    ),
    ...events(2, { product_id: undefined }).map((e) => oldRow(e)),
    truncated,
  ];
  const expectedGroups = 1 + 10 + 3 + 1 + 1 + 1 + 1 + 1 + 1;

  const alertBy = async (fp: string) =>
    (await db.query(`SELECT * FROM alerts WHERE fingerprint = $1`, [fp])).rows;

  beforeAll(async () => {
    url = await createDatabaseMigratedTo(POSTGRES_URL, name, 1);
    db = scratchPool(url);
    await db.query(
      `INSERT INTO alerts SELECT * FROM jsonb_populate_recordset(NULL::alerts, $1::jsonb)`,
      [JSON.stringify(rows)],
    );
    // Only up to this migration: later ones (and undoLastMigration) must not get in the way.
    dataSource = new DataSource({
      ...dataSourceOptions(databaseConfigFrom({ DATABASE_URL: url, RUN_MIGRATIONS: 'false' })),
      migrations: migrations.slice(0, migrations.indexOf(AlertGroups1764400000000) + 1),
    });
    await dataSource.initialize();
    const ran = await dataSource.runMigrations();
    expect(ran.map((m) => m.name)).toEqual([AlertGroups1764400000000.name]);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.end();
    await dropDatabase(POSTGRES_URL, name);
  });

  it('partitions the old rows by day, leaving the default partition empty', async () => {
    const days = new Set(rows.map((r) => r.occurred_at.slice(0, 10)));
    const partitions = await db.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'alert_occurrences'::regclass`,
    );
    expect(partitions.rows.map((p) => p.name).sort()).toEqual(
      [
        'alert_occurrences_default',
        ...[...days].map((d) => `alert_occurrences_p${d.replace(/-/g, '')}`),
      ].sort(),
    );
  });

  it('makes one alert per group and loses no event', async () => {
    const [totals] = (
      await db.query(`
        SELECT (SELECT count(*)::int FROM alerts) AS alerts,
               (SELECT sum(occurrences)::int FROM alerts) AS counted,
               (SELECT count(*)::int FROM alert_occurrences) AS occurrences,
               (SELECT count(*)::int FROM alert_occurrences_default) AS in_default,
               (SELECT count(*)::int FROM alert_activity WHERE action = 'opened'
                   AND actor = 'system' AND reason = 'migration') AS opened`)
    ).rows;
    // More than one chunk (1,000 rows) each way.
    expect(rows).toHaveLength(1141);
    expect(totals).toEqual({
      alerts: expectedGroups,
      counted: rows.length,
      occurrences: rows.length,
      in_default: 0,
      opened: expectedGroups,
    });
  });

  it('groups by the frozen rules, with readable labels', async () => {
    const [a] = await alertBy(fingerprint('price-missing', 'pos-demo', 'prod-A'));
    expect(a).toMatchObject({
      detector: 'price-missing',
      group_labels: { service: 'pos-demo', product_id: 'prod-A' },
      occurrences: '950',
      status: 'open',
      resolved_at: null,
      issue_code: 'PRICE_MISSING',
    });
    const prodA = rows.filter((r) => r.raw_log.product_id === 'prod-A');
    const times = prodA.map((r) => Date.parse(r.occurred_at)).sort((x, y) => x - y);
    expect(a.first_seen_at.getTime()).toBe(times[0]);
    expect(a.last_seen_at.getTime()).toBe(times[times.length - 1]);
    const earliest = prodA.find((r) => Date.parse(r.occurred_at) === times[0])!;
    const latest = prodA.find((r) => Date.parse(r.occurred_at) === times[times.length - 1])!;
    expect(a.raw_log.request_id).toBe(earliest.raw_log.request_id);
    expect(a.last_event.request_id).toBe(latest.raw_log.request_id);
    expect(a.metadata).toEqual(earliest.metadata);

    const db1 = await alertBy(fingerprint('database-error', 'pos-demo', 'DATABASE_ERROR'));
    const db2 = await alertBy(fingerprint('database-error', 'pos-demo', 'DATABASE_TIMEOUT'));
    const db3 = await alertBy(fingerprint('database-error', 'pos-kiosk', 'DATABASE_ERROR'));
    expect([db1[0].occurrences, db2[0].occurrences, db3[0].occurrences]).toEqual([
      '40',
      '30',
      '10',
    ]);
    expect(db3[0].group_labels).toEqual({ service: 'pos-kiosk', error_code: 'DATABASE_ERROR' });
    expect((await alertBy(fingerprint('timeout', 'pos-demo', '/pay')))[0].occurrences).toBe('30');
    expect((await alertBy(fingerprint('invalid-order', 'pos-demo', '/order')))[0]).toMatchObject({
      occurrences: '20',
      group_labels: { service: 'pos-demo', endpoint: '/order' },
    });
    expect(
      (await alertBy(fingerprint('card-declined', 'pos-demo', 'CARD_DECLINED')))[0],
    ).toMatchObject({ detector: 'card-declined', occurrences: '5' });
    for (let i = 0; i < 10; i++) {
      const [b] = await alertBy(fingerprint('price-missing', 'pos-demo', `prod-B${i}`));
      expect(b.occurrences).toBe('5');
    }
    expect((await alertBy(fingerprint('price-missing', 'pos-demo', null)))[0]).toMatchObject({
      occurrences: '2',
      group_labels: { service: 'pos-demo', product_id: 'none' },
    });
  });

  it('resolves a group only when all its rows were resolved', async () => {
    const [r] = await alertBy(fingerprint('price-missing', 'pos-demo', 'prod-R'));
    expect(r).toMatchObject({ status: 'resolved', resolution_reason: 'manual', occurrences: '3' });
    expect(r.resolved_at).toEqual(prodRResolvedAt[0]);
    const history = await db.query(
      `SELECT action, from_status, to_status FROM alert_activity WHERE alert_id = $1 ORDER BY id`,
      [r.id],
    );
    expect(history.rows).toEqual([
      { action: 'opened', from_status: null, to_status: 'open' },
      { action: 'resolved', from_status: 'open', to_status: 'resolved' },
    ]);
  });

  it('identifies events by event_id, canonical JSON, or the legacy key of a truncated row', async () => {
    const ids = async (requestId: string) =>
      (
        await db.query(`SELECT event_id FROM alert_occurrences WHERE event->>'request_id' = $1`, [
          requestId,
        ])
      ).rows.map((r) => r.event_id);
    expect(await ids(withId.request_id)).toEqual([sha256('id:evt-42')]);
    const plain = rows[0].raw_log;
    expect(await ids(plain.request_id)).toEqual([sha256(`json:${stringify(plain)}`)]);
    // The migration's frozen copies still agree with what the app computes for new events.
    expect(await ids(plain.request_id)).toEqual([eventIdentity(plain)]);
    expect(await ids(withId.request_id)).toEqual([eventIdentity(withId)]);
    expect(fingerprint('price-missing', 'pos-demo', null)).toBe(
      fingerprintOf('price-missing', ['pos-demo', null]),
    );

    const [t] = await alertBy(fingerprint('price-missing', null, null));
    expect(t.group_labels).toEqual({ service: 'none', product_id: 'none' });
    const occurrence = await db.query(
      `SELECT event_id FROM alert_occurrences WHERE alert_id = $1`,
      [t.id],
    );
    expect(occurrence.rows).toEqual([{ event_id: sha256(`legacy:${truncated.event_key}`) }]);
  });

  it('reverts to one row per event', async () => {
    await dataSource.undoLastMigration();
    const restored = await db.query(`SELECT event_key, raw_log FROM alerts`);
    // A truncated row's old key cannot be recomputed from its preview: it comes back under
    // its occurrence's (legacy) id.
    const expected = rows.map((r) =>
      r === truncated ? sha256(`legacy:${r.event_key}`) : r.event_key,
    );
    expect(restored.rows.map((r) => r.event_key).sort()).toEqual(expected.sort());
    const tables = await db.query(
      `SELECT to_regclass('alert_occurrences') AS o, to_regclass('alert_activity') AS a`,
    );
    expect(tables.rows).toEqual([{ o: null, a: null }]);
  });
});
