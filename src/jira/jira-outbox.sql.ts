/**
 * The statements of the outbox worker. Each is one statement, so each outcome is atomic; all of
 * them leave `alerts` to the lifecycle except LINK_SQL, which stores a ticket's key.
 */

export const CLAIM_BATCH = 10;

/**
 * Due pending rows, oldest first, each alert's rows in order: a row waits while an older row of
 * its alert is pending, so a resolve never overtakes its create or a reopen its resolve. The
 * lease brings a crashed worker's rows back; SKIP LOCKED lets instances share the table.
 */
export const CLAIM_SQL = `
  UPDATE jira_outbox
     SET locked_until = now() + $1::int * interval '1 millisecond',
         attempts = attempts + 1, updated_at = now()
   WHERE id IN (
     SELECT o.id FROM jira_outbox o
      WHERE o.status = 'pending' AND o.next_attempt_at <= now()
        AND (o.locked_until IS NULL OR o.locked_until < now())
        AND NOT EXISTS (SELECT 1 FROM jira_outbox e
                         WHERE e.alert_id = o.alert_id AND e.status = 'pending' AND e.id < o.id)
      ORDER BY o.id
      LIMIT ${CLAIM_BATCH}
      FOR UPDATE SKIP LOCKED)
  RETURNING id, alert_id, action, payload, attempts`;

export const ALERTS_SQL = `
  SELECT a.id, a.fingerprint, a.issue_code, a.severity, a.group_labels, a.metadata->>'service' AS service,
         a.suggested_fix, a.occurrences, a.first_seen_at, a.last_seen_at, a.raw_log, a.jira_issue_key,
         (SELECT c.status FROM jira_outbox c WHERE c.dedupe_key = 'create:' || a.id) AS create_status
    FROM alerts a WHERE a.id = ANY($1::uuid[])`;

export const DONE_SQL = `
  UPDATE jira_outbox SET status = 'done', done_at = now(), locked_until = NULL, last_error = NULL,
         payload = payload || $2::jsonb, updated_at = now()
   WHERE id = $1`;

/** Stores the key only if the alert has none (a key linked by hand wins), with its activity row. */
export const LINK_SQL = `
  WITH linked AS (
    UPDATE alerts SET jira_issue_key = $2, version = version + 1
     WHERE id = $1 AND jira_issue_key IS NULL
    RETURNING id, status
  ), activity AS (
    INSERT INTO alert_activity (alert_id, from_status, to_status, action, actor, reason, note)
    SELECT id, status, status, 'jira_linked', 'system', $3, $2 FROM linked
  ), done AS (
    UPDATE jira_outbox SET status = 'done', done_at = now(), locked_until = NULL, last_error = NULL,
           payload = payload || $4::jsonb, updated_at = now()
     WHERE id = $5
  )
  SELECT (SELECT count(*) FROM linked)::int AS linked,
         (SELECT jira_issue_key FROM alerts WHERE id = $1) AS current_key`;

export const RESCHEDULE_SQL = `
  UPDATE jira_outbox SET locked_until = NULL, last_error = $3, updated_at = now(),
         next_attempt_at = now() + $2::int * interval '1 millisecond'
   WHERE id = $1`;

export const FAIL_SQL = `
  UPDATE jira_outbox SET status = 'failed', locked_until = NULL, last_error = $2, updated_at = now()
   WHERE id = $1`;

/** Not tried (breaker open, shutting down): back to pending at once, the attempt not counted. */
export const RELEASE_SQL = `
  UPDATE jira_outbox SET locked_until = NULL, attempts = greatest(attempts - 1, 0), updated_at = now()
   WHERE id = $1`;

export const PRUNE_BATCH = 1_000;

/**
 * Delivered rows older than the retention ($1 ms), a batch at a time. Kept whatever their age: an
 * alert's `create` (it dedupes "Create ticket" and answers create_status), its latest `create` or
 * `comment` (it dates the next "still firing" comment, QUEUE_COMMENTS_SQL), and every `failed` or
 * `pending` row (an operator's retry, or work still to do).
 */
export const PRUNE_SQL = `
  DELETE FROM jira_outbox
   WHERE id IN (
     SELECT o.id FROM jira_outbox o
      WHERE o.status = 'done' AND o.done_at < now() - $1::bigint * interval '1 millisecond'
        AND o.action <> 'create'
        AND (o.action <> 'comment'
             OR EXISTS (SELECT 1 FROM jira_outbox n
                         WHERE n.alert_id = o.alert_id AND n.id > o.id
                           AND n.action IN ('create', 'comment')))
      ORDER BY o.id
      LIMIT ${PRUNE_BATCH}
      FOR UPDATE SKIP LOCKED)`;
