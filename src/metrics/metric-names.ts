/** Prometheus metric names: the dashboard and alerting contract, so treat renames as breaking. */
export const MESSAGES_CONSUMED = 'stacklens_messages_consumed_total';
export const ALERTS_CREATED = 'stacklens_alerts_created_total';
export const ALERTS_REOPENED = 'stacklens_alerts_reopened_total';
export const OCCURRENCES_COUNTED = 'stacklens_occurrences_total';
export const ALERTS_DUPLICATE = 'stacklens_alerts_duplicate_total';
export const ALERTS_FOLDED = 'stacklens_alerts_storm_folded_total';
export const MESSAGES_DEAD_LETTERED = 'stacklens_messages_dead_lettered_total';
export const DEAD_LETTER_FAILURES = 'stacklens_dead_letter_failures_total';
export const PARTITIONS_PARKED = 'stacklens_partitions_parked';
export const UNKNOWN_FIELDS = 'stacklens_unknown_event_fields_total';
export const DB_WRITE_SECONDS = 'stacklens_db_write_duration_seconds';
export const DB_WRITE_FAILURES = 'stacklens_db_write_failures_total';
export const OLDEST_BATCH_SECONDS = 'stacklens_oldest_batch_in_flight_seconds';
export const JIRA_REQUESTS = 'stacklens_jira_requests_total';
export const JIRA_OUTBOX_PENDING = 'stacklens_jira_outbox_pending';
export const JIRA_OUTBOX_OLDEST_SECONDS = 'stacklens_jira_outbox_oldest_pending_seconds';
export const JIRA_OUTBOX_FAILED = 'stacklens_jira_outbox_failed_total';
