/**
 * The statements one batch runs, in one transaction. Occurrences go in by COPY, or else by an
 * INSERT; every other statement takes one jsonb parameter read with jsonb_to_recordset: no
 * per-row placeholders, no parameter ceiling, and far less CPU than an ORM's query builder on the
 * hot path. Counters only ever grow by what the occurrence write reported as new (all rows of a
 * COPY that succeeded, the INSERT's RETURNING otherwise), which makes counts exact under
 * redelivery.
 */

/** The unresolved alert of each fingerprint, else its latest resolved one. */
export const FIND_ALERTS_SQL = `
  SELECT DISTINCT ON (fingerprint) id, fingerprint, status, resolved_at
    FROM alerts
   WHERE fingerprint = ANY($1::bpchar[])
   ORDER BY fingerprint, (status = 'resolved'), resolved_at DESC NULLS FIRST`;

/**
 * Records occurrences when none of them is stored yet, which is every batch but a redelivery's: a
 * COPY in the binary format (occurrence-rows.ts) costs Postgres about half the CPU per row of the
 * INSERT below. A copy already stored fails it with a unique violation (23505) on the primary
 * key, and the writer rolls back to a savepoint and writes the rows with INSERT_OCCURRENCES_SQL.
 */
export const COPY_OCCURRENCES_SQL = `
  COPY alert_occurrences (event_id, event_time, alert_id, source_topic, source_partition,
                          source_offset, event)
  FROM STDIN (FORMAT binary)`;

/**
 * Records occurrences, some of which may be stored already; RETURNING tells the new ones from
 * copies already counted. The key is
 * (event time, identity): a partitioned table's unique key must hold its partition key, and a key
 * led by time is written at the right edge of its index (migration 1764600000000). The time
 * comes back as epoch milliseconds (exact: it was written with whole milliseconds), which is
 * cheaper to read than a timestamp per row.
 */
export const INSERT_OCCURRENCES_SQL = `
  INSERT INTO alert_occurrences (event_id, event_time, alert_id, source_topic, source_partition,
                                 source_offset, event)
  SELECT event_id, event_time, alert_id, source_topic, source_partition, source_offset, event
    FROM jsonb_to_recordset($1::jsonb) AS r(
           event_id text, event_time timestamptz, alert_id uuid, source_topic text,
           source_partition int, source_offset bigint, event jsonb)
   -- Key order: two batches holding copies of the same events (a re-publish landing on another
   -- partition) then wait for each other instead of deadlocking.
   ORDER BY event_time, event_id
  ON CONFLICT DO NOTHING
  RETURNING event_id, (extract(epoch FROM event_time) * 1000)::bigint AS event_ms`;

const COUNTERS = (a: string, r: string) => `
  occurrences = ${a}.occurrences + ${r}.occurrences,
  first_seen_at = LEAST(${a}.first_seen_at, ${r}.first_seen_at),
  last_event = CASE WHEN ${r}.last_seen_at > ${a}.last_seen_at THEN ${r}.last_event ELSE ${a}.last_event END,
  last_seen_at = GREATEST(${a}.last_seen_at, ${r}.last_seen_at),
  folded_fingerprints = ${a}.folded_fingerprints + ${r}.folded_fingerprints`;

const COUNTER_COLUMNS = `id uuid, occurrences bigint, first_seen_at timestamptz,
  last_seen_at timestamptz, last_event jsonb, folded_fingerprints int`;

/**
 * New alerts. Another batch may have opened the same fingerprint since FIND_ALERTS_SQL: the
 * partial unique index skips that row, and its missing id tells the writer that this batch's
 * occurrences point at the wrong alert (it then retries the batch, which finds it). DO NOTHING,
 * not DO UPDATE: an update would lock that alert in fingerprint order while LOCK_ALERTS_SQL
 * locks in id order, and batches opening the same problems at once deadlocked on it.
 */
export const INSERT_ALERTS_SQL = `
  INSERT INTO alerts AS a (id, fingerprint, detector, group_labels, issue_code, severity,
                      suggested_fix, confidence, raw_log, last_event, metadata, occurrences,
                      first_seen_at, last_seen_at, last_received_at, overflow, folded_fingerprints)
  SELECT id, fingerprint, detector, group_labels, issue_code, severity, suggested_fix, confidence,
         raw_log, last_event, metadata, occurrences, first_seen_at, last_seen_at, now(), overflow,
         folded_fingerprints
    FROM jsonb_to_recordset($1::jsonb) AS r(
           ${COUNTER_COLUMNS}, fingerprint text, detector text, group_labels jsonb,
           issue_code text, severity text, suggested_fix text, confidence double precision,
           raw_log jsonb, metadata jsonb, overflow boolean)
   ORDER BY fingerprint
  ON CONFLICT (fingerprint) WHERE status <> 'resolved' DO NOTHING
  RETURNING id, fingerprint`;

/**
 * Row locks on the existing alerts a batch is about to count on, taken in id order before it
 * inserts new alerts or updates any.
 * An UPDATE ... FROM locks rows in whatever order its join yields them (a hash join over the
 * table yields them in physical order, which every update changes), so two batches touching the
 * same hot alerts deadlocked: Postgres found it after deadlock_timeout (1 s), aborted one and the
 * batch was retried (an ORDER BY in the UPDATE's own input never fixed that). Sorted locks make
 * them queue instead. Ids never change, so the order holds. Both UPDATEs below then only touch
 * rows this transaction already holds.
 */
export const LOCK_ALERTS_SQL = `
  SELECT id FROM alerts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`;

/** Counts on open, acknowledged or (late events only) resolved alerts; status unchanged. */
export const UPDATE_ALERTS_SQL = `
  UPDATE alerts a SET
    ${COUNTERS('a', 'r')},
    last_received_at = CASE WHEN r.late THEN a.last_received_at ELSE now() END
    FROM jsonb_to_recordset($1::jsonb) AS r(${COUNTER_COLUMNS}, late boolean)
   WHERE a.id = r.id
  RETURNING a.id, a.status, r.late`;

/** Regressions: resolved alerts that get a newer event within the reopen window. */
export const REOPEN_ALERTS_SQL = `
  UPDATE alerts a SET
    ${COUNTERS('a', 'r')},
    status = 'open', reopen_count = a.reopen_count + 1, resolved_at = NULL, resolved_by = NULL,
    resolution_reason = NULL, acknowledged_at = NULL, acknowledged_by = NULL,
    version = a.version + 1, last_received_at = now()
    FROM jsonb_to_recordset($1::jsonb) AS r(${COUNTER_COLUMNS})
   WHERE a.id = r.id AND a.status = 'resolved'
  RETURNING a.id`;

export const INSERT_ACTIVITY_SQL = `
  INSERT INTO alert_activity (alert_id, from_status, to_status, action, actor, reason)
  SELECT alert_id, from_status, to_status, action, actor, reason
    FROM jsonb_to_recordset($1::jsonb) AS r(
           alert_id uuid, from_status text, to_status text, action text, actor text, reason text)`;
