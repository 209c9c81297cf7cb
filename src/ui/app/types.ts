/** The alerts API's shapes, as far as the console reads them (see /api/docs). */

export type Severity = 'critical' | 'warning' | 'info';
export type Status = 'open' | 'acknowledged' | 'resolved';
export type Role = 'viewer' | 'operator';

export interface Alert {
  id: string;
  detector: string;
  group_labels: Record<string, string>;
  issue_code: string;
  severity: Severity;
  suggested_fix: string;
  status: Status;
  occurrences: number;
  first_seen_at: string;
  last_seen_at: string;
  reopen_count: number;
  resolution_reason: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  jira_issue_key: string | null;
  /** Present once the API exposes a link to the ticket. */
  jira_url?: string | null;
  /** Present once the API reports the ticket's synchronisation. */
  jira_sync_status?: string | null;
  jira_sync_error?: string | null;
  overflow: boolean;
  folded_fingerprints: number;
  version: number;
  metadata: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Occurrence {
  event_id: string;
  event_time: string;
  received_at: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  event: Record<string, unknown>;
}

export interface Activity {
  id: number;
  from_status: Status | null;
  to_status: Status;
  action: string;
  actor: string;
  reason: string | null;
  note: string | null;
  at: string;
}

export type SeverityCounts = Record<Severity, number>;

export interface Summary {
  counts: Record<Status, SeverityCounts>;
  occurrences_per_minute: Array<{ minute: string; count: number }>;
}

export interface Session {
  name: string;
  role: Role;
  csrf_token: string;
  expires_at: string;
}

export const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];
export const STATUSES: Status[] = ['open', 'acknowledged', 'resolved'];
