import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AlertSeverity, AlertStatus, ResolutionReason } from '../events/alert.enums';

/** Request context of the event that opened the alert, so the admin UI can filter without JSON. */
export interface AlertMetadata {
  request_id: string;
  service: string;
  log_level: string;
  /** Present when raw_log holds a truncated preview instead of the event. */
  raw_log_truncated?: true;
}

/**
 * One row per problem: every event with the same fingerprint while the alert is unresolved is an
 * occurrence of it (AlertOccurrence), not a new alert. The schema is owned by migrations/
 * (constraints, the one-unresolved-alert-per-fingerprint index, the updated_at trigger); this
 * class only maps it.
 */
@Entity({ name: 'alerts' })
export class Alert {
  @PrimaryColumn('uuid') id: string;

  /** sha256 of detector id, grouping version and the detector's group-by values. */
  @Column({ type: 'char', length: 64 }) fingerprint: string;
  /** Stable detector id, e.g. 'price-missing'. */
  @Column({ type: 'varchar', length: 128 }) detector: string;
  /** The group-by values by field ('none' where the event lacked one); overflow alerts: {overflow: 'true'}. */
  @Column({ name: 'group_labels', type: 'jsonb' }) groupLabels: Record<string, string>;

  @Column({ name: 'issue_code', type: 'varchar', length: 128 }) issueCode: string;
  @Column({ type: 'varchar', length: 16 }) severity: AlertSeverity;
  @Column({ name: 'suggested_fix', type: 'text' }) suggestedFix: string;
  @Column({ type: 'double precision' }) confidence: number;
  /** The event that opened the alert (possibly in truncated form). */
  @Column({ name: 'raw_log', type: 'jsonb' }) rawLog: Record<string, unknown>;
  /** The latest event by event time (possibly in truncated form). */
  @Column({ name: 'last_event', type: 'jsonb' }) lastEvent: Record<string, unknown>;
  @Column({ type: 'jsonb' }) metadata: AlertMetadata;

  @Column({ type: 'varchar', length: 16, default: AlertStatus.OPEN }) status: AlertStatus;
  /** bigint: node-postgres returns it as a string so no count is ever rounded. */
  @Column({ type: 'bigint', default: 0 }) occurrences: string;
  /** Min and max event timestamps; last_seen_at never moves backwards. */
  @Column({ name: 'first_seen_at', type: 'timestamptz' }) firstSeenAt: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
  /** When the latest batch arrived (database clock); the quiet-period auto-resolve reads this. */
  @Column({ name: 'last_received_at', type: 'timestamptz' }) lastReceivedAt: Date;
  @Column({ name: 'reopen_count', type: 'int', default: 0 }) reopenCount: number;
  /** Null unless resolved. */
  @Column({ name: 'resolution_reason', type: 'varchar', length: 16, nullable: true })
  resolutionReason: ResolutionReason | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;
  @Column({ name: 'acknowledged_by', type: 'varchar', length: 128, nullable: true })
  acknowledgedBy: string | null;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @Column({ name: 'resolved_by', type: 'varchar', length: 128, nullable: true })
  resolvedBy: string | null;
  @Column({ name: 'jira_issue_key', type: 'varchar', length: 64, nullable: true })
  jiraIssueKey: string | null;

  /** The storm guard's catch-all alert, into which further fingerprints are folded. */
  @Column({ type: 'boolean', default: false }) overflow: boolean;
  @Column({ name: 'folded_fingerprints', type: 'int', default: 0 }) foldedFingerprints: number;

  /** Optimistic locking for lifecycle and Jira changes only; counters do not bump it. */
  @Column({ type: 'int', default: 1 }) version: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
}
