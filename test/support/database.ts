import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { eventIdentity } from '../../src/events/event-identity';
import { testDatabaseUrl } from './infra';

let pool: Pool | null = null;

export async function query<T extends object = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  pool ??= new Pool({ connectionString: testDatabaseUrl(), max: 2 });
  const result = await pool.query<T>(sql, params);
  return result.rows;
}

/**
 * A service name no other spec uses. Every spec of a run shares one database and alerts group by
 * fingerprint (which includes the service), so events of a unique service count only on alerts
 * of that spec, and queries filtered by it see nothing of anyone else's.
 */
export const uniqueService = (label = 'svc'): string => `${label}-${randomUUID().slice(0, 8)}`;

/** Alerts opened by one of these requests (metadata holds the opening event's request_id). */
export async function alertsFor(requestIds: string[]): Promise<Array<Record<string, any>>> {
  return query(`SELECT * FROM alerts WHERE metadata->>'request_id' = ANY($1) ORDER BY created_at`, [
    requestIds,
  ]);
}

/** Every alert (problem) opened by an event of `service`, oldest first. */
export async function alertsOf(service: string): Promise<Array<Record<string, any>>> {
  return query(`SELECT * FROM alerts WHERE metadata->>'service' = $1 ORDER BY created_at, id`, [
    service,
  ]);
}

/** Every occurrence (one row per alert-worthy event counted) of `service`. */
export async function occurrencesOf(service: string): Promise<Array<Record<string, any>>> {
  return query(
    `SELECT * FROM alert_occurrences WHERE event->>'service' = $1
      ORDER BY source_partition, source_offset`,
    [service],
  );
}

/** The occurrence rows of these events, found by their identity (as the service computes it). */
export async function occurrencesOfEvents(events: object[]): Promise<Array<Record<string, any>>> {
  return query(`SELECT * FROM alert_occurrences WHERE event_id = ANY($1) ORDER BY event_id`, [
    events.map(eventIdentity),
  ]);
}

/** What the alerts of `service` say they counted, and how many occurrence rows there really are. */
export async function occurrenceTotals(
  service: string,
): Promise<{ alerts: number; counted: number; rows: number }> {
  const [totals] = await query<{ alerts: string; counted: string; rows: string }>(
    `SELECT (SELECT count(*) FROM alerts WHERE metadata->>'service' = $1) AS alerts,
            (SELECT coalesce(sum(occurrences), 0) FROM alerts
              WHERE metadata->>'service' = $1) AS counted,
            (SELECT count(*) FROM alert_occurrences WHERE event->>'service' = $1) AS rows`,
    [service],
  );
  return {
    alerts: Number(totals.alerts),
    counted: Number(totals.counted),
    rows: Number(totals.rows),
  };
}

export async function closeDatabase(): Promise<void> {
  await pool?.end();
  pool = null;
}
