import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AlertSeverity, AlertStatus } from './alert.enums';

/** Request context copied out of raw_log so the admin UI can filter without digging into JSON. */
export interface AlertMetadata {
  request_id: string;
  service: string;
  log_level: string;
  /** Present when raw_log holds a truncated preview instead of the event. */
  raw_log_truncated?: true;
}

/**
 * One row per alert-worthy event. The schema is owned by migrations/ (constraints, indexes,
 * the updated_at trigger); this class only maps it.
 */
@Entity({ name: 'alerts' })
export class Alert {
  @PrimaryColumn('uuid') id: string;

  /**
   * sha256 of the event's identity (service, request_id, error_code, timestamp). Unique, so a
   * redelivered or re-produced event can never become a second alert.
   */
  @Column({ name: 'event_key', type: 'char', length: 64 }) eventKey: string;

  @Column({ name: 'issue_code', type: 'varchar', length: 128 }) issueCode: string;
  @Column({ type: 'varchar', length: 16 }) severity: AlertSeverity;
  @Column({ name: 'suggested_fix', type: 'text' }) suggestedFix: string;
  @Column({ type: 'double precision' }) confidence: number;
  @Column({ name: 'raw_log', type: 'jsonb' }) rawLog: Record<string, unknown>;
  @Column({ type: 'varchar', length: 16, default: AlertStatus.OPEN }) status: AlertStatus;
  @Column({ name: 'jira_issue_key', type: 'varchar', length: 64, nullable: true })
  jiraIssueKey: string | null;
  @Column({ type: 'jsonb' }) metadata: AlertMetadata;

  /** When the POS logged the error (the event's timestamp), as opposed to when we stored it. */
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;

  @Column({ name: 'source_topic', type: 'varchar', length: 249 }) sourceTopic: string;
  @Column({ name: 'source_partition', type: 'int' }) sourcePartition: number;
  @Column({ name: 'source_offset', type: 'bigint' }) sourceOffset: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
}
