import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAlerts1764300000000 implements MigrationInterface {
  name = 'CreateAlerts1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alerts (
        id               uuid PRIMARY KEY,
        event_key        char(64)     NOT NULL,
        issue_code       varchar(128) NOT NULL,
        severity         varchar(16)  NOT NULL,
        suggested_fix    text         NOT NULL,
        confidence       double precision NOT NULL,
        raw_log          jsonb        NOT NULL,
        status           varchar(16)  NOT NULL DEFAULT 'open',
        jira_issue_key   varchar(64),
        metadata         jsonb        NOT NULL,
        occurred_at      timestamptz  NOT NULL,
        source_topic     varchar(249) NOT NULL,
        source_partition integer      NOT NULL,
        source_offset    bigint       NOT NULL,
        created_at       timestamptz  NOT NULL DEFAULT now(),
        updated_at       timestamptz  NOT NULL DEFAULT now(),
        resolved_at      timestamptz,
        CONSTRAINT alerts_event_key_unique UNIQUE (event_key),
        CONSTRAINT alerts_severity_check CHECK (severity IN ('critical', 'warning', 'info')),
        CONSTRAINT alerts_status_check CHECK (status IN ('open', 'acknowledged', 'resolved')),
        CONSTRAINT alerts_confidence_check CHECK (confidence >= 0 AND confidence <= 1),
        CONSTRAINT alerts_resolved_at_check CHECK (resolved_at IS NULL OR status = 'resolved')
      )`);
    // The admin UI's lists: open alerts newest first, by severity, and time ranges.
    await q.query(`CREATE INDEX alerts_status_created_at_idx ON alerts (status, created_at DESC)`);
    await q.query(
      `CREATE INDEX alerts_severity_created_at_idx ON alerts (severity, created_at DESC)`,
    );
    await q.query(`CREATE INDEX alerts_created_at_idx ON alerts (created_at DESC)`);
    // Admin writes (status, Jira key) go through SQL too; keep updated_at honest for all of them.
    await q.query(`
      CREATE FUNCTION alerts_touch_updated_at() RETURNS trigger AS $$
      BEGIN
        NEW.updated_at := now();
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await q.query(`
      CREATE TRIGGER alerts_touch_updated_at BEFORE UPDATE ON alerts
      FOR EACH ROW EXECUTE FUNCTION alerts_touch_updated_at()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alerts`);
    await q.query(`DROP FUNCTION alerts_touch_updated_at()`);
  }
}
