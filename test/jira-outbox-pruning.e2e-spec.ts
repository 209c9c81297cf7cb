import { DataSource } from 'typeorm';
import { databaseConfigFrom, JiraConfig, loadAppConfig } from '../src/config/configuration';
import { dataSourceOptions } from '../src/database/data-source-options';
import { JiraOutboxPruner } from '../src/jira/jira-outbox.pruner';
import { seedAlert } from './support/api-seed';
import { closeDatabase, query } from './support/database';
import { testDatabaseUrl } from './support/infra';

const DAY_MS = 86_400_000;

describe(JiraOutboxPruner.name, () => {
  const config: JiraConfig = { ...loadAppConfig({}).jira, outboxRetentionMs: 30 * DAY_MS };
  let dataSource: DataSource;
  let sut: JiraOutboxPruner;

  beforeAll(async () => {
    dataSource = await new DataSource(
      dataSourceOptions(
        databaseConfigFrom({ DATABASE_URL: testDatabaseUrl(), RUN_MIGRATIONS: 'false' }),
      ),
    ).initialize();
    sut = new JiraOutboxPruner(dataSource, config);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await closeDatabase();
  });

  /** One outbox row of `alert`, `days` old (created and, unless pending, settled then). */
  async function row(alert: string, action: string, status: string, days: number, key?: string) {
    const [{ id }] = await query<{ id: string }>(
      `INSERT INTO jira_outbox (alert_id, action, dedupe_key, status, created_at, done_at)
       VALUES ($1, $2, $3, $4::text, now() - $5::int * interval '1 day',
               CASE WHEN $4::text = 'done' THEN now() - $5::int * interval '1 day' END)
       RETURNING id`,
      [alert, action, key ?? `${action}:${alert}:${Math.random()}`, status, days],
    );
    return id;
  }
  const left = async (alert: string) =>
    (
      await query<{ id: string }>(`SELECT id FROM jira_outbox WHERE alert_id = $1 ORDER BY id`, [
        alert,
      ])
    ).map((r) => r.id);

  it('deletes delivered rows past the retention, and keeps the rows that hold state', async () => {
    const { id: alert } = await seedAlert();
    const create = await row(alert, 'create', 'done', 60, `create:${alert}`);
    const oldComment = await row(alert, 'comment', 'done', 50);
    const oldResolve = await row(alert, 'resolve', 'done', 45);
    const lastComment = await row(alert, 'comment', 'done', 40);
    const failed = await row(alert, 'reopen', 'failed', 40);
    const young = await row(alert, 'resolve', 'done', 29);
    const pending = await row(alert, 'reopen', 'pending', 40);
    expect(await left(alert)).toContain(oldComment);

    await sut.prune();

    // The last comment stays while it is the newest create or comment: it dates the next one.
    expect(await left(alert)).toEqual([create, lastComment, failed, young, pending]);
    expect(await left(alert)).not.toContain(oldResolve);
  });

  it('deletes a long history in batches, down to the latest comment', async () => {
    const { id: alert } = await seedAlert();
    await query(
      `INSERT INTO jira_outbox (alert_id, action, dedupe_key, status, created_at, done_at)
       SELECT $1::uuid, 'comment', 'comment:' || $1::text || ':' || n, 'done',
              now() - interval '90 days' + n * interval '1 minute',
              now() - interval '90 days' + n * interval '1 minute'
         FROM generate_series(1, 2500) AS n`,
      [alert],
    );
    const [{ latest }] = await query<{ latest: string }>(
      `SELECT max(id) AS latest FROM jira_outbox WHERE alert_id = $1`,
      [alert],
    );

    expect(await sut.prune()).toBeGreaterThanOrEqual(2499);
    expect(await left(alert)).toEqual([latest]);
  });
});
