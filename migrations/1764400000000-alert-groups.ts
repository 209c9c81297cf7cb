import { createHash, randomUUID } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Grouping rules and identities as they were when alerts became groups. Deliberately copied, not
 * imported from src/: this migration must keep doing exactly this when the app's rules change.
 * src/rules computes fingerprints with the same formula; keep the two byte-identical.
 */
const GROUPING_VERSION = 1;
const CHUNK = 1_000;

interface Grouping {
  detector: string;
  fields: string[];
}

function groupingOf(issueCode: string): Grouping {
  if (issueCode === 'PRICE_MISSING') {
    return { detector: 'price-missing', fields: ['service', 'product_id'] };
  }
  if (issueCode === 'INVALID_ORDER') {
    return { detector: 'invalid-order', fields: ['service', 'endpoint'] };
  }
  if (issueCode.startsWith('DATABASE_')) {
    return { detector: 'database-error', fields: ['service', 'error_code'] };
  }
  if (issueCode === 'TIMEOUT') {
    return { detector: 'timeout', fields: ['service', 'endpoint'] };
  }
  return {
    detector: issueCode.toLowerCase().replace(/_/g, '-'),
    fields: ['service', 'error_code'],
  };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

type Json = Record<string, unknown>;

const isTruncated = (rawLog: Json): boolean => rawLog.truncated === true;

function fingerprintOf(issueCode: string, event: Json) {
  const { detector, fields } = groupingOf(issueCode);
  const values = fields.map((f) => (typeof event[f] === 'string' ? event[f] : null));
  return {
    detector,
    fingerprint: sha256(JSON.stringify([detector, GROUPING_VERSION, ...values])),
    groupLabels: Object.fromEntries(fields.map((f, i) => [f, values[i] ?? 'none'])),
  };
}

function eventIdOf(rawLog: Json, eventKey: string): string {
  // A truncated preview is not the event, so neither its JSON nor a field in it identifies the
  // event: the old event_key (sha256 of service, request_id, error_code, timestamp) does.
  if (isTruncated(rawLog)) return sha256(`legacy:${eventKey}`);
  if (typeof rawLog.event_id === 'string' && rawLog.event_id !== '') {
    return sha256(`id:${rawLog.event_id}`);
  }
  return sha256(`json:${stringify(rawLog)}`);
}

/** The old per-event key, as the per-event writer computed it; null when the event lacks a field. */
function legacyEventKey(event: Json): string | null {
  const { service, request_id, error_code, timestamp } = event;
  if (
    typeof service !== 'string' ||
    typeof request_id !== 'string' ||
    typeof error_code !== 'string' ||
    typeof timestamp !== 'string'
  ) {
    return null;
  }
  const time = new Date(timestamp);
  if (Number.isNaN(time.getTime())) return null;
  return sha256([service, request_id, error_code, time.toISOString()].join('\u0000'));
}

interface OccurrenceRow {
  event_id: string;
  /** Times as text: a Date drops microseconds (and the keyset could then stall on a row). */
  event_time: string;
  event: Json;
  /** The parent alert's. */
  metadata: Json;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  received_at: string;
  alert_id: string;
}

const utcDay = (day: Date): string => day.toISOString().slice(0, 10);

/** Same names and bounds as OccurrencePartitions creates (copied for the same reason as above). */
function partitionDdl(day: Date): string {
  const next = new Date(day.getTime() + 86_400_000);
  const name = `alert_occurrences_p${utcDay(day).replace(/-/g, '')}`;
  return `CREATE TABLE ${name} PARTITION OF alert_occurrences
            FOR VALUES FROM ('${utcDay(day)} 00:00+00') TO ('${utcDay(next)} 00:00+00')`;
}

/**
 * alerts becomes one row per problem (fingerprint); every event becomes an alert_occurrences row;
 * alert_activity records the lifecycle. up groups the existing per-event rows, down expands the
 * occurrences back into per-event rows. Both move data in chunks, in one transaction.
 */
export class AlertGroups1764400000000 implements MigrationInterface {
  name = 'AlertGroups1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alerts RENAME TO alerts_v1`);
    await q.query(`ALTER INDEX alerts_pkey RENAME TO alerts_v1_pkey`);
    await this.createTables(q);
    await this.createPartitionsForOldRows(q);
    await q.query(`
      CREATE TEMPORARY TABLE alert_groups_migration (
        old_id       uuid PRIMARY KEY,
        fingerprint  char(64) NOT NULL,
        detector     text     NOT NULL,
        group_labels jsonb    NOT NULL,
        event_id     char(64) NOT NULL
      )`);
    await this.groupOldRows(q);
    await this.insertGroups(q);
    await q.query(`DROP TABLE alert_groups_migration`);
    await q.query(`DROP TABLE alerts_v1`);
    await this.createIndexes(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alerts RENAME TO alerts_v2`);
    await q.query(`ALTER INDEX alerts_pkey RENAME TO alerts_v2_pkey`);
    await this.createPerEventTable(q);
    await this.expandOccurrences(q);
    await q.query(`DROP TABLE alert_activity`);
    await q.query(`DROP TABLE alert_occurrences`);
    await q.query(`DROP TABLE alerts_v2`);
  }

  private async createTables(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alerts (
        id                   uuid PRIMARY KEY,
        fingerprint          char(64)     NOT NULL,
        detector             varchar(128) NOT NULL,
        group_labels         jsonb        NOT NULL,
        issue_code           varchar(128) NOT NULL,
        severity             varchar(16)  NOT NULL,
        suggested_fix        text         NOT NULL,
        confidence           double precision NOT NULL,
        raw_log              jsonb        NOT NULL,
        last_event           jsonb        NOT NULL,
        metadata             jsonb        NOT NULL,
        status               varchar(16)  NOT NULL DEFAULT 'open',
        occurrences          bigint       NOT NULL DEFAULT 0 CHECK (occurrences >= 0),
        first_seen_at        timestamptz  NOT NULL,
        last_seen_at         timestamptz  NOT NULL,
        last_received_at     timestamptz  NOT NULL,
        reopen_count         integer      NOT NULL DEFAULT 0,
        resolution_reason    varchar(16),
        acknowledged_at      timestamptz,
        acknowledged_by      varchar(128),
        resolved_at          timestamptz,
        resolved_by          varchar(128),
        jira_issue_key       varchar(64),
        overflow             boolean      NOT NULL DEFAULT false,
        folded_fingerprints  integer      NOT NULL DEFAULT 0,
        version              integer      NOT NULL DEFAULT 1,
        created_at           timestamptz  NOT NULL DEFAULT now(),
        updated_at           timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT alerts_resolved_consistent CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
        CONSTRAINT alerts_severity_check CHECK (severity IN ('critical', 'warning', 'info')),
        CONSTRAINT alerts_status_check CHECK (status IN ('open', 'acknowledged', 'resolved')),
        CONSTRAINT alerts_confidence_check CHECK (confidence >= 0 AND confidence <= 1),
        CONSTRAINT alerts_resolution_reason_check
          CHECK (resolution_reason IN ('manual', 'quiet', 'jira'))
      )`);
    await q.query(`
      CREATE TABLE alert_occurrences (
        event_id          char(64)     NOT NULL,
        event_time        timestamptz  NOT NULL,
        alert_id          uuid         NOT NULL,
        source_topic      varchar(249) NOT NULL,
        source_partition  integer      NOT NULL,
        source_offset     bigint       NOT NULL,
        received_at       timestamptz  NOT NULL DEFAULT now(),
        event             jsonb        NOT NULL,
        PRIMARY KEY (event_id, event_time)
      ) PARTITION BY RANGE (event_time)`);
    await q.query(`CREATE TABLE alert_occurrences_default PARTITION OF alert_occurrences DEFAULT`);
    await q.query(`
      CREATE TABLE alert_activity (
        id           bigserial    PRIMARY KEY,
        alert_id     uuid         NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        from_status  varchar(16),
        to_status    varchar(16)  NOT NULL,
        action       varchar(32)  NOT NULL,
        actor        varchar(128) NOT NULL,
        reason       varchar(32),
        note         text,
        at           timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT alert_activity_status_check CHECK (
          (from_status IS NULL OR from_status IN ('open', 'acknowledged', 'resolved'))
          AND to_status IN ('open', 'acknowledged', 'resolved')),
        CONSTRAINT alert_activity_action_check CHECK (action IN
          ('opened', 'acknowledged', 'resolved', 'reopened', 'jira_linked', 'jira_unlinked'))
      )`);
  }

  /** After the data: building indexes once is cheaper than maintaining them row by row. */
  private async createIndexes(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNIQUE INDEX alerts_open_fingerprint_uq ON alerts (fingerprint) WHERE status <> 'resolved'`);
    // Not partial: the consume path looks up every fingerprint of a batch whatever its status
    // (the unresolved alert first, else the latest resolved one), once per batch.
    await q.query(`
      CREATE INDEX alerts_fingerprint_idx ON alerts (fingerprint, resolved_at DESC NULLS FIRST)`);
    await q.query(`CREATE INDEX alerts_last_seen_idx ON alerts (last_seen_at DESC, id DESC)`);
    await q.query(`
      CREATE INDEX alerts_status_last_seen_idx ON alerts (status, last_seen_at DESC, id DESC)`);
    await q.query(`CREATE INDEX alerts_occurrences_idx ON alerts (occurrences DESC, id DESC)`);
    await q.query(`
      CREATE INDEX alerts_unresolved_received_idx ON alerts (last_received_at)
        WHERE status <> 'resolved'`);
    await q.query(`
      CREATE INDEX alert_occurrences_alert_idx ON alert_occurrences (alert_id, event_time DESC)`);
    await q.query(`
      CREATE INDEX alert_activity_alert_idx ON alert_activity (alert_id, at DESC, id DESC)`);
    // The function is migration 1's; it outlives its first table.
    await q.query(`
      CREATE TRIGGER alerts_touch_updated_at BEFORE UPDATE ON alerts
      FOR EACH ROW EXECUTE FUNCTION alerts_touch_updated_at()`);
  }

  /**
   * One daily partition per day the old rows cover (up to the service's window, today + 2), so
   * the default partition starts empty: every ATTACH the service does scans the default
   * partition, and retention can only drop partitions, never rows parked in the default.
   */
  private async createPartitionsForOldRows(q: QueryRunner): Promise<void> {
    const days = (await q.query(`
      SELECT DISTINCT date_trunc('day', occurred_at, 'UTC') AS day
        FROM alerts_v1
       WHERE occurred_at < date_trunc('day', now(), 'UTC') + interval '3 days'
       ORDER BY 1`)) as Array<{ day: Date }>;
    for (const { day } of days) await q.query(partitionDdl(day));
  }

  /** Computes each old row's fingerprint and event identity (JS: sha256 and stable JSON). */
  private async groupOldRows(q: QueryRunner): Promise<void> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await q.query(
        `SELECT id, event_key, issue_code, raw_log FROM alerts_v1
          WHERE id > $1 ORDER BY id LIMIT ${CHUNK}`,
        [after],
      )) as Array<{ id: string; event_key: string; issue_code: string; raw_log: Json }>;
      if (rows.length === 0) return;
      const computed = rows.map((row) => {
        const event = isTruncated(row.raw_log) ? {} : row.raw_log;
        const { detector, fingerprint, groupLabels } = fingerprintOf(row.issue_code, event);
        return {
          old_id: row.id,
          fingerprint,
          detector,
          group_labels: groupLabels,
          event_id: eventIdOf(row.raw_log, row.event_key),
        };
      });
      await q.query(
        `INSERT INTO alert_groups_migration (old_id, fingerprint, detector, group_labels, event_id)
         SELECT old_id, fingerprint, detector, group_labels, event_id
           FROM jsonb_to_recordset($1::jsonb) AS r(old_id uuid, fingerprint text, detector text,
                                                   group_labels jsonb, event_id text)`,
        [JSON.stringify(computed)],
      );
      after = rows[rows.length - 1].id;
    }
  }

  /**
   * Set-based from here: one alert per fingerprint (id, opening fields and raw_log from its
   * earliest event, so links to that row keep working), every old row as an occurrence, the
   * counter from what the occurrences table actually holds, and the history.
   */
  private async insertGroups(q: QueryRunner): Promise<void> {
    await q.query(`
      WITH rows AS (
        SELECT o.*, m.fingerprint, m.detector, m.group_labels
          FROM alerts_v1 o JOIN alert_groups_migration m ON m.old_id = o.id
      ), first_row AS (
        SELECT DISTINCT ON (fingerprint) * FROM rows
         ORDER BY fingerprint, occurred_at, created_at, id
      ), last_row AS (
        SELECT DISTINCT ON (fingerprint) fingerprint, raw_log FROM rows
         ORDER BY fingerprint, occurred_at DESC, created_at DESC, id DESC
      ), per_group AS (
        SELECT fingerprint,
               bool_and(status = 'resolved') AS all_resolved,
               -- the old schema allowed a resolved row without resolved_at
               coalesce(max(resolved_at), max(updated_at)) AS resolved_at,
               min(occurred_at) AS first_seen_at,
               max(occurred_at) AS last_seen_at,
               max(created_at) AS last_received_at,
               min(created_at) AS created_at,
               (array_agg(jira_issue_key ORDER BY created_at DESC)
                  FILTER (WHERE jira_issue_key IS NOT NULL))[1] AS jira_issue_key
          FROM rows GROUP BY fingerprint
      )
      INSERT INTO alerts (id, fingerprint, detector, group_labels, issue_code, severity,
                          suggested_fix, confidence, raw_log, last_event, metadata, status,
                          first_seen_at, last_seen_at, last_received_at, resolution_reason,
                          resolved_at, jira_issue_key, created_at)
      SELECT f.id, g.fingerprint, f.detector, f.group_labels, f.issue_code, f.severity,
             f.suggested_fix, f.confidence, f.raw_log, l.raw_log, f.metadata,
             CASE WHEN g.all_resolved THEN 'resolved' ELSE 'open' END,
             g.first_seen_at, g.last_seen_at, g.last_received_at,
             -- per-event alerts were only ever resolved by a person
             CASE WHEN g.all_resolved THEN 'manual' END,
             CASE WHEN g.all_resolved THEN g.resolved_at END,
             g.jira_issue_key, g.created_at
        FROM per_group g
        JOIN first_row f USING (fingerprint)
        JOIN last_row l USING (fingerprint)`);
    await q.query(`
      INSERT INTO alert_occurrences (event_id, event_time, alert_id, source_topic,
                                     source_partition, source_offset, received_at, event)
      SELECT m.event_id, o.occurred_at, a.id, o.source_topic, o.source_partition,
             o.source_offset, o.created_at, o.raw_log
        FROM alerts_v1 o
        JOIN alert_groups_migration m ON m.old_id = o.id
        JOIN alerts a ON a.fingerprint = m.fingerprint
       ORDER BY o.occurred_at, o.created_at, o.id
      ON CONFLICT DO NOTHING`);
    await q.query(`
      UPDATE alerts a SET occurrences = c.n
        FROM (SELECT alert_id, count(*) AS n FROM alert_occurrences GROUP BY alert_id) c
       WHERE c.alert_id = a.id`);
    await q.query(`
      INSERT INTO alert_activity (alert_id, from_status, to_status, action, actor, reason, at)
      SELECT id, NULL, 'open', 'opened', 'system', 'migration', created_at FROM alerts
      UNION ALL
      SELECT id, 'open', 'resolved', 'resolved', 'system', 'migration', resolved_at
        FROM alerts WHERE status = 'resolved'`);
  }

  /** Migration 1's table, verbatim. */
  private async createPerEventTable(q: QueryRunner): Promise<void> {
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
    await q.query(`CREATE INDEX alerts_status_created_at_idx ON alerts (status, created_at DESC)`);
    await q.query(
      `CREATE INDEX alerts_severity_created_at_idx ON alerts (severity, created_at DESC)`,
    );
    await q.query(`CREATE INDEX alerts_created_at_idx ON alerts (created_at DESC)`);
    await q.query(`
      CREATE TRIGGER alerts_touch_updated_at BEFORE UPDATE ON alerts
      FOR EACH ROW EXECUTE FUNCTION alerts_touch_updated_at()`);
  }

  /**
   * One per-event row per occurrence, alert-level fields from the parent. The request context
   * (metadata) comes from the event itself where it has one; a truncated event only has its
   * parent's. An occurrence without a parent alert (there is no foreign key) has nothing to fill
   * the per-event row's issue code and severity from, and is left out.
   */
  private async expandOccurrences(q: QueryRunner): Promise<void> {
    let after: [string, string] = ['', '-infinity'];
    for (;;) {
      const rows = (await q.query(
        `SELECT o.event_id, o.event_time::text AS event_time, o.event, a.metadata,
                o.source_topic, o.source_partition, o.source_offset, o.received_at::text AS received_at,
                o.alert_id
           FROM alert_occurrences o JOIN alerts_v2 a ON a.id = o.alert_id
          WHERE (o.event_id, o.event_time) > ($1, $2::timestamptz)
          ORDER BY o.event_id, o.event_time LIMIT ${CHUNK}`,
        after,
      )) as OccurrenceRow[];
      if (rows.length === 0) return;
      const expanded = rows.map((row) => ({
        id: randomUUID(),
        event_key: legacyEventKey(row.event) ?? row.event_id,
        alert_id: row.alert_id,
        raw_log: row.event,
        metadata: isTruncated(row.event)
          ? { ...row.metadata, raw_log_truncated: true }
          : typeof row.event.request_id === 'string'
            ? {
                request_id: row.event.request_id,
                service: row.event.service,
                log_level: row.event.log_level,
              }
            : row.metadata,
        occurred_at: row.event_time,
        source_topic: row.source_topic,
        source_partition: row.source_partition,
        source_offset: row.source_offset,
        created_at: row.received_at,
      }));
      await q.query(
        `INSERT INTO alerts (id, event_key, issue_code, severity, suggested_fix, confidence,
                             raw_log, status, jira_issue_key, metadata, occurred_at,
                             source_topic, source_partition, source_offset, created_at,
                             resolved_at)
         SELECT r.id, r.event_key, a.issue_code, a.severity, a.suggested_fix, a.confidence,
                r.raw_log, a.status, a.jira_issue_key, r.metadata, r.occurred_at,
                r.source_topic, r.source_partition, r.source_offset, r.created_at,
                a.resolved_at
           FROM jsonb_to_recordset($1::jsonb) AS r(
                  id uuid, event_key text, alert_id uuid, raw_log jsonb, metadata jsonb,
                  occurred_at timestamptz, source_topic text, source_partition int,
                  source_offset bigint, created_at timestamptz)
           JOIN alerts_v2 a ON a.id = r.alert_id
         ON CONFLICT (event_key) DO NOTHING`,
        [JSON.stringify(expanded)],
      );
      const last = rows[rows.length - 1];
      after = [last.event_id, last.event_time];
    }
  }
}
