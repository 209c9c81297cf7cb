import { randomUUID } from 'node:crypto';
import { binaryCopy } from '../src/alerts/occurrence-rows';
import { eventIdentity } from '../src/events/event-identity';
import { LogEvent } from '../src/events/log-event.dto';
import { DatabaseErrorDetector } from '../src/rules/detectors/database-error.detector';
import { InvalidOrderDetector } from '../src/rules/detectors/invalid-order.detector';
import { PriceMissingDetector } from '../src/rules/detectors/price-missing.detector';
import { TimeoutDetector } from '../src/rules/detectors/timeout.detector';
import { RulesService } from '../src/rules/rules.service';
import { benchEvent, isMalformed } from './bench-env';

/** One alert_occurrences row; the event already as JSON text, so each encoding can embed it. */
export interface OccurrenceRow {
  eventId: string;
  eventTime: string;
  alertId: string;
  partition: number;
  offset: number;
  event: string;
}

export const ROW_COLUMNS =
  'event_id, event_time, alert_id, source_topic, source_partition, source_offset, event';
const TOPIC = 't';

/**
 * The occurrence rows the service writes for a prefill of `count` events: the valid alert-worthy
 * ones, as the rules see them. Kept compact (no event objects), so a 1M-event run fits.
 */
export function occurrenceRows(count: number, alertRatio: number): OccurrenceRow[] {
  const rules = new RulesService([
    new PriceMissingDetector(),
    new InvalidOrderDetector(),
    new DatabaseErrorDetector(),
    new TimeoutDetector(),
  ]);
  const rows: OccurrenceRow[] = [];
  for (let i = 0; i < count; i++) {
    if (isMalformed(i)) continue;
    const event = Object.assign(new LogEvent(), benchEvent(i, alertRatio));
    const ref = { topic: TOPIC, partition: i % 6, offset: String(i) };
    if (!rules.evaluate(event, ref)) continue;
    rows.push({
      eventId: eventIdentity(event),
      eventTime: event.timestamp,
      alertId: randomUUID(),
      partition: ref.partition,
      offset: i,
      event: JSON.stringify(event),
    });
  }
  return rows;
}

export function chunked<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** The jsonb_to_recordset parameter of the service's INSERT. */
export function asJsonRecordset(rows: OccurrenceRow[]): string {
  const items = rows.map(
    (r) =>
      `{"event_id":${JSON.stringify(r.eventId)},"event_time":"${r.eventTime}",` +
      `"alert_id":"${r.alertId}","source_topic":"${TOPIC}","source_partition":${r.partition},` +
      `"source_offset":${r.offset},"event":${r.event}}`,
  );
  return `[${items.join(',')}]`;
}

/** Postgres array literals, one per column, for INSERT ... SELECT FROM UNNEST. */
export function asArrayLiterals(rows: OccurrenceRow[]): string[] {
  const quoted = (values: string[]) =>
    `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
  return [
    quoted(rows.map((r) => r.eventId)),
    quoted(rows.map((r) => r.eventTime)),
    quoted(rows.map((r) => r.alertId)),
    quoted(rows.map(() => TOPIC)),
    `{${rows.map((r) => r.partition).join(',')}}`,
    `{${rows.map((r) => r.offset).join(',')}}`,
    quoted(rows.map((r) => r.event)),
  ];
}

/** COPY text format: tab-separated; JSON.stringify leaves no raw control characters to escape. */
export function asCopyText(rows: OccurrenceRow[]): Buffer {
  const esc = (v: string) => v.replace(/\\/g, '\\\\');
  const lines = rows.map(
    (r) =>
      `${r.eventId}\t${r.eventTime}\t${r.alertId}\t${TOPIC}\t${r.partition}\t${r.offset}\t` +
      `${esc(r.event)}\n`,
  );
  return Buffer.from(lines.join(''));
}

/** COPY's binary format, encoded as the service encodes its own COPY (one COPY per chunk). */
export function asBinaryCopy(rows: OccurrenceRow[]): Buffer {
  return binaryCopy(
    rows.map((r) => ({
      eventId: r.eventId,
      eventTime: Date.parse(r.eventTime),
      alertId: r.alertId,
      topic: TOPIC,
      partition: r.partition,
      offset: String(r.offset),
      event: Buffer.from(r.event, 'utf8'),
    })),
  );
}
