import { createHash, randomUUID } from 'node:crypto';
import { LogEvent } from '../ingest/log-event.dto';
import { MessageRef } from '../ingest/message-ref';
import { AlertCandidate } from '../rules/detector';
import { Alert } from './alert.entity';
import { AlertStatus } from './alert.enums';

/**
 * The identity of an event, independent of where Kafka put it: the ingest API may publish the
 * same event twice (producer retries), and each copy lands at a different offset.
 */
export function eventKey(event: LogEvent): string {
  return createHash('sha256')
    .update(
      [
        event.service,
        event.request_id,
        event.error_code,
        new Date(event.timestamp).toISOString(),
      ].join('\u0000'),
    )
    .digest('hex');
}

/** What raw_log holds for an event larger than RAW_LOG_MAX_BYTES. */
export interface TruncatedRawLog {
  truncated: true;
  original_bytes: number;
  /** The first RAW_LOG_MAX_BYTES characters of the event's JSON (no longer valid JSON). */
  preview: string;
}

/** How raw_log is bounded: the limit, and the size of the message as received (when known). */
export interface RawLogLimit {
  maxBytes: number;
  /** The Kafka value's length. Re-serialising never makes an event longer, so at or under the
   *  limit the event is kept without serialising it again on the hot path. */
  receivedBytes?: number;
}

function rawLog(event: LogEvent, limit: RawLogLimit): Record<string, unknown> | TruncatedRawLog {
  if (limit.receivedBytes !== undefined && limit.receivedBytes <= limit.maxBytes) {
    return event as unknown as Record<string, unknown>;
  }
  const maxBytes = limit.maxBytes;
  const json = JSON.stringify(event);
  if (json.length <= maxBytes) return event as unknown as Record<string, unknown>;
  return {
    truncated: true,
    original_bytes: Buffer.byteLength(json),
    preview: json.slice(0, maxBytes),
  };
}

/** Maps a validated event and the rule that matched it to a new, open Alert. */
export function buildAlert(
  event: LogEvent,
  candidate: AlertCandidate,
  ref: MessageRef,
  limit: RawLogLimit = { maxBytes: Number.POSITIVE_INFINITY },
): Alert {
  const alert = new Alert();
  alert.id = randomUUID();
  alert.eventKey = eventKey(event);
  alert.issueCode = candidate.issueCode;
  alert.severity = candidate.severity;
  alert.suggestedFix = candidate.suggestedFix;
  alert.confidence = candidate.confidence;
  alert.rawLog = rawLog(event, limit) as Record<string, unknown>;
  alert.status = AlertStatus.OPEN;
  alert.jiraIssueKey = null;
  alert.metadata = {
    request_id: event.request_id,
    service: event.service,
    log_level: event.log_level,
    ...('truncated' in alert.rawLog ? { raw_log_truncated: true } : {}),
  };
  alert.occurredAt = new Date(event.timestamp);
  alert.sourceTopic = ref.topic;
  alert.sourcePartition = ref.partition;
  alert.sourceOffset = ref.offset;
  alert.resolvedAt = null;
  return alert;
}
