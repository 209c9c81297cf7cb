import { query } from './database';
import { logRecords, ServiceProcess } from './service';

/**
 * What the alert-group spec reads back: metric samples of one service process, its log lines,
 * and the alerts, occurrences and activity of one spec's own `service` value.
 */

/** A metric sample from GET /metrics with exactly these label values; 0 when absent (a counter never incremented). */
export async function metric(
  service: ServiceProcess,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(service.url('/metrics'))).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) total += Number(m[3]);
  }
  return total;
}

/** Log records at `level` for which `match` holds. */
export function logLines(
  service: ServiceProcess,
  level: string,
  match: (record: Record<string, unknown>) => boolean,
): Array<Record<string, unknown>> {
  return logRecords(service).filter((r) => r.level === level && match(r));
}

export interface GroupAlert {
  id: string;
  fingerprint: string;
  detector: string;
  status: string;
  group_labels: Record<string, string>;
  occurrences: number;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution_reason: string | null;
  reopen_count: number;
  version: number;
  overflow: boolean;
  folded_fingerprints: number;
  raw_log: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const ALERT_COLUMNS = `id, fingerprint, detector, status, group_labels, occurrences::int AS occurrences,
  first_seen_at, last_seen_at, resolved_at, resolved_by, resolution_reason, reopen_count, version,
  overflow, folded_fingerprints, raw_log, metadata`;

/** The alerts grouping events of `service` (the overflow alert has no service label), oldest first. */
export function groupAlertsOf(service: string): Promise<GroupAlert[]> {
  return query<GroupAlert>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE group_labels->>'service' = $1 ORDER BY created_at, id`,
    [service],
  );
}

/** Every alert row of one fingerprint (resolved ones included), oldest first. */
export function alertsWithFingerprint(fingerprint: string): Promise<GroupAlert[]> {
  return query<GroupAlert>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE fingerprint = $1 ORDER BY created_at, id`,
    [fingerprint],
  );
}

/** alert id -> occurrence rows of `service`'s events counted on it. */
export async function occurrenceRowsPerAlert(service: string): Promise<Map<string, number>> {
  const rows = await query<{ alert_id: string; n: number }>(
    `SELECT alert_id, count(*)::int AS n FROM alert_occurrences
      WHERE event->>'service' = $1 GROUP BY alert_id`,
    [service],
  );
  return new Map(rows.map((r) => [r.alert_id, r.n]));
}

/** Occurrence rows of `service` whose alert_id names no alert (counted nowhere). */
export async function occurrencesWithoutAlert(service: string): Promise<number> {
  const [{ n }] = await query<{ n: number }>(
    `SELECT count(*)::int AS n FROM alert_occurrences o
      WHERE o.event->>'service' = $1 AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.id = o.alert_id)`,
    [service],
  );
  return n;
}

/** The stored events (occurrence rows) of `service`. */
export async function storedEventsOf(service: string): Promise<Array<Record<string, unknown>>> {
  const rows = await query<{ event: Record<string, unknown> }>(
    `SELECT event FROM alert_occurrences WHERE event->>'service' = $1`,
    [service],
  );
  return rows.map((r) => r.event);
}

/** The stored events (occurrence rows) counted on one alert. */
export async function storedEventsOfAlert(
  alertId: string,
): Promise<Array<Record<string, unknown>>> {
  const rows = await query<{ event: Record<string, unknown> }>(
    `SELECT event FROM alert_occurrences WHERE alert_id = $1`,
    [alertId],
  );
  return rows.map((r) => r.event);
}

export interface ActivityRow {
  from_status: string | null;
  to_status: string;
  action: string;
  actor: string;
  reason: string | null;
}

/** The history of one alert, oldest first. */
export function activityOf(alertId: string): Promise<ActivityRow[]> {
  return query<ActivityRow>(
    `SELECT from_status, to_status, action, actor, reason FROM alert_activity
      WHERE alert_id = $1 ORDER BY at, id`,
    [alertId],
  );
}
