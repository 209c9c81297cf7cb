import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Jira outbox: every Jira action is a row written in the transaction of the alert change that
 * causes it, and a worker delivers the rows. `dedupe_key` is what makes a create (or one
 * resolve of one version) impossible to queue twice.
 */
export class JiraOutbox1764500000000 implements MigrationInterface {
  name = 'JiraOutbox1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE jira_outbox (
        id               bigserial    PRIMARY KEY,
        alert_id         uuid         NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        action           varchar(16)  NOT NULL,
        dedupe_key       varchar(200) NOT NULL,
        payload          jsonb        NOT NULL DEFAULT '{}',
        status           varchar(16)  NOT NULL DEFAULT 'pending',
        attempts         integer      NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz  NOT NULL DEFAULT now(),
        locked_until     timestamptz,
        last_error       text,
        created_at       timestamptz  NOT NULL DEFAULT now(),
        updated_at       timestamptz  NOT NULL DEFAULT now(),
        done_at          timestamptz,
        CONSTRAINT jira_outbox_dedupe_key_uq UNIQUE (dedupe_key),
        CONSTRAINT jira_outbox_action_check
          CHECK (action IN ('create', 'resolve', 'reopen', 'comment')),
        CONSTRAINT jira_outbox_status_check CHECK (status IN ('pending', 'done', 'failed'))
      )`);
    // What the worker polls: only pending rows, so the index stays as small as the backlog.
    await q.query(`
      CREATE INDEX jira_outbox_due_idx ON jira_outbox (next_attempt_at) WHERE status = 'pending'`);
    // An alert's rows newest first: the API's sync status, the per-alert order of delivery.
    await q.query(`CREATE INDEX jira_outbox_alert_idx ON jira_outbox (alert_id, id DESC)`);
    // The API's jira_sync_error (latest failed row) without walking an alert's done comments.
    await q.query(`
      CREATE INDEX jira_outbox_failed_idx ON jira_outbox (alert_id, id DESC) WHERE status = 'failed'`);
    // The webhook finds alerts by their ticket; the comment scheduler walks linked alerts.
    await q.query(`
      CREATE INDEX alerts_jira_issue_key_idx ON alerts (jira_issue_key)
        WHERE jira_issue_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alerts_jira_issue_key_idx`);
    await q.query(`DROP TABLE jira_outbox`);
  }
}
