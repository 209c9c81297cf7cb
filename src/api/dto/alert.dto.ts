import { ApiProperty } from '@nestjs/swagger';
import type { AlertWithJira, JiraSyncStatus, Page } from '../../alerts/alert-queries.service';
import { AlertSeverity, AlertStatus, ResolutionReason } from '../../events/alert.enums';
import { CursorScope, encodeCursor } from '../pagination/cursor';

const JSON_OBJECT = { type: 'object', additionalProperties: true } as const;
const TIMESTAMP = { type: String, format: 'date-time' } as const;
const NULLABLE_TIMESTAMP = { ...TIMESTAMP, nullable: true } as const;
const NULLABLE_STRING = { type: String, nullable: true } as const;

/** An alert as the API shows it: snake_case, like the table and the events. */
export class AlertDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'sha256 hex of detector, grouping version and group labels' })
  fingerprint: string;
  @ApiProperty({ example: 'price-missing' }) detector: string;
  @ApiProperty({ ...JSON_OBJECT, example: { service: 'pos-demo', product_id: 'prod-42' } })
  group_labels: Record<string, string>;
  @ApiProperty({ example: 'PRICE_MISSING' }) issue_code: string;
  @ApiProperty({ enum: AlertSeverity, enumName: 'AlertSeverity' }) severity: AlertSeverity;
  @ApiProperty() suggested_fix: string;
  @ApiProperty({ minimum: 0, maximum: 1 }) confidence: number;
  @ApiProperty({ enum: AlertStatus, enumName: 'AlertStatus' }) status: AlertStatus;
  @ApiProperty({ description: 'Events grouped into this alert' }) occurrences: number;
  @ApiProperty(TIMESTAMP) first_seen_at: Date;
  @ApiProperty(TIMESTAMP) last_seen_at: Date;
  @ApiProperty(TIMESTAMP) last_received_at: Date;
  @ApiProperty() reopen_count: number;
  @ApiProperty({ enum: ResolutionReason, enumName: 'ResolutionReason', nullable: true })
  resolution_reason: ResolutionReason | null;
  @ApiProperty(NULLABLE_TIMESTAMP) acknowledged_at: Date | null;
  @ApiProperty(NULLABLE_STRING) acknowledged_by: string | null;
  @ApiProperty(NULLABLE_TIMESTAMP) resolved_at: Date | null;
  @ApiProperty(NULLABLE_STRING) resolved_by: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: 'OPS-123' }) jira_issue_key: string | null;
  @ApiProperty({
    enum: ['none', 'pending', 'done', 'failed'],
    description:
      "The alert's latest Jira action: none queued, waiting, delivered, or refused by Jira",
  })
  jira_sync_status: JiraSyncStatus;
  @ApiProperty({
    ...NULLABLE_STRING,
    description:
      "Jira's error for the latest refused action; fix the cause, then POST .../jira/retry",
    example: 'HTTP 400: project: valid project is required',
  })
  jira_sync_error: string | null;
  @ApiProperty({ description: "The storm guard's catch-all alert" }) overflow: boolean;
  @ApiProperty() folded_fingerprints: number;
  @ApiProperty({ description: 'Bumped by every lifecycle or Jira change; send it as If-Match' })
  version: number;
  @ApiProperty(TIMESTAMP) created_at: Date;
  @ApiProperty(TIMESTAMP) updated_at: Date;
  @ApiProperty({ ...JSON_OBJECT, description: 'The event that opened the alert' })
  raw_log: Record<string, unknown>;
  @ApiProperty({ ...JSON_OBJECT, description: 'The latest event by event time' })
  last_event: Record<string, unknown>;
  @ApiProperty({ ...JSON_OBJECT, description: 'request_id, service and log_level of raw_log' })
  metadata: Record<string, unknown>;

  static from(alert: AlertWithJira): AlertDto {
    return Object.assign(new AlertDto(), {
      id: alert.id,
      fingerprint: alert.fingerprint,
      detector: alert.detector,
      group_labels: alert.groupLabels,
      issue_code: alert.issueCode,
      severity: alert.severity,
      suggested_fix: alert.suggestedFix,
      confidence: alert.confidence,
      status: alert.status,
      // bigint in the table; a count past 2^53 is not a concern for a JSON client.
      occurrences: Number(alert.occurrences),
      first_seen_at: alert.firstSeenAt,
      last_seen_at: alert.lastSeenAt,
      last_received_at: alert.lastReceivedAt,
      reopen_count: alert.reopenCount,
      resolution_reason: alert.resolutionReason,
      acknowledged_at: alert.acknowledgedAt,
      acknowledged_by: alert.acknowledgedBy,
      resolved_at: alert.resolvedAt,
      resolved_by: alert.resolvedBy,
      jira_issue_key: alert.jiraIssueKey,
      jira_sync_status: alert.jiraSync.status,
      jira_sync_error: alert.jiraSync.error,
      overflow: alert.overflow,
      folded_fingerprints: alert.foldedFingerprints,
      version: alert.version,
      created_at: alert.createdAt,
      updated_at: alert.updatedAt,
      raw_log: alert.rawLog,
      last_event: alert.lastEvent,
      metadata: { ...alert.metadata },
    });
  }
}

export class AlertPageDto {
  @ApiProperty({ type: [AlertDto] }) items: AlertDto[];
  @ApiProperty({ ...NULLABLE_STRING, description: 'Pass as cursor for the next page' })
  next_cursor: string | null;

  static from(page: Page<AlertWithJira>, scope: CursorScope): AlertPageDto {
    return {
      items: page.items.map((alert) => AlertDto.from(alert)),
      next_cursor: page.next ? encodeCursor(scope, page.next) : null,
    };
  }
}
