import { Alert } from './alert.entity';

/**
 * One statement per micro-batch with a single jsonb parameter: no per-row placeholders (so no
 * 65,535-parameter ceiling) and ~10x less CPU than building the same INSERT with TypeORM's query
 * builder, which profiled at 12% of the service's CPU. ON CONFLICT on the event key makes every
 * redelivery a no-op; RETURNING tells new rows from old. created_at/updated_at take their defaults.
 */
export const INSERT_ALERTS_SQL = `
  INSERT INTO alerts (id, event_key, issue_code, severity, suggested_fix, confidence, raw_log,
                      status, jira_issue_key, metadata, occurred_at, source_topic,
                      source_partition, source_offset, resolved_at)
  SELECT id, event_key, issue_code, severity, suggested_fix, confidence, raw_log,
         status, jira_issue_key, metadata, occurred_at, source_topic,
         source_partition, source_offset, resolved_at
    FROM jsonb_to_recordset($1::jsonb) AS r(
           id uuid, event_key text, issue_code text, severity text, suggested_fix text,
           confidence double precision, raw_log jsonb, status text, jira_issue_key text,
           metadata jsonb, occurred_at timestamptz, source_topic text, source_partition int,
           source_offset bigint, resolved_at timestamptz)
  ON CONFLICT (event_key) DO NOTHING
  RETURNING event_key`;

/** The statement's parameter: the alerts as the JSON array jsonb_to_recordset reads. */
export function insertParameter(alerts: Alert[]): string {
  return JSON.stringify(
    alerts.map((a) => ({
      id: a.id,
      event_key: a.eventKey,
      issue_code: a.issueCode,
      severity: a.severity,
      suggested_fix: a.suggestedFix,
      confidence: a.confidence,
      raw_log: a.rawLog,
      status: a.status,
      jira_issue_key: a.jiraIssueKey,
      metadata: a.metadata,
      occurred_at: a.occurredAt,
      source_topic: a.sourceTopic,
      source_partition: a.sourcePartition,
      source_offset: a.sourceOffset,
      resolved_at: a.resolvedAt,
    })),
  );
}
