import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { query } from './database';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

/** Columns of alerts a test may set; the rest get defaults that satisfy the constraints. */
export interface AlertSeed {
  id: string;
  fingerprint: string;
  detector: string;
  group_labels: Record<string, string>;
  issue_code: string;
  severity: 'critical' | 'warning' | 'info';
  status: 'open' | 'acknowledged' | 'resolved';
  metadata: Record<string, string>;
  occurrences: number;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  version: number;
}

/** A unique service name: filtering on it isolates a test's alerts from everyone else's. */
export const uniqueService = (label = 'svc') => `${label}-${randomUUID().slice(0, 8)}`;

/** Inserts one alert (unique id and fingerprint unless given) and returns what it inserted. */
export async function seedAlert(overrides: Partial<AlertSeed> = {}): Promise<AlertSeed> {
  const service = overrides.metadata?.service ?? uniqueService();
  const status = overrides.status ?? 'open';
  const alert: AlertSeed = {
    id: randomUUID(),
    fingerprint: sha256(randomUUID()),
    detector: 'price-missing',
    group_labels: { service, product_id: `prod-${randomUUID().slice(0, 4)}` },
    issue_code: 'PRICE_MISSING',
    severity: 'warning',
    status,
    metadata: { request_id: `req-${randomUUID()}`, service, log_level: 'error' },
    occurrences: 1,
    first_seen_at: minutesAgo(30),
    last_seen_at: minutesAgo(1),
    resolved_at: status === 'resolved' ? minutesAgo(1) : null,
    version: 1,
    ...overrides,
  };
  const event = { service, error_code: alert.issue_code, message: 'Product price is null' };
  await query(
    `INSERT INTO alerts (id, fingerprint, detector, group_labels, issue_code, severity, suggested_fix,
       confidence, raw_log, last_event, metadata, status, occurrences, first_seen_at, last_seen_at,
       last_received_at, resolved_at, resolution_reason, resolved_by, version)
     VALUES ($1, $2, $3, $4, $5, $6, 'Check the price list', 0.9, $7, $7, $8, $9, $10, $11, $12,
       now(), $13, $14, $15, $16)`,
    [
      alert.id,
      alert.fingerprint,
      alert.detector,
      alert.group_labels,
      alert.issue_code,
      alert.severity,
      event,
      alert.metadata,
      alert.status,
      alert.occurrences,
      alert.first_seen_at,
      alert.last_seen_at,
      alert.resolved_at,
      alert.resolved_at ? 'quiet' : null,
      alert.resolved_at ? 'system' : null,
      alert.version,
    ],
  );
  return alert;
}

/** Inserts occurrences of an alert at the given event times; returns their event ids. */
export async function seedOccurrences(alertId: string, eventTimes: Date[]): Promise<string[]> {
  const ids = eventTimes.map(() => randomBytes(32).toString('hex'));
  await query(
    `INSERT INTO alert_occurrences (event_id, event_time, alert_id, source_topic, source_partition,
       source_offset, event)
     SELECT id, t, $3, 'pos-logs', 0, n, jsonb_build_object('n', n)
       FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS x(id, t, n)`,
    [ids, eventTimes, alertId],
  );
  return ids;
}

export { minutesAgo };
