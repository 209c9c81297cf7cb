import { randomInt, randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import type { LogEvent } from '../../src/events/log-event.dto';
import { encode, logEvent } from '../factories/log-event.factory';
import { query } from './database';
import { eventually } from './eventually';
import { produce } from './kafka';

/**
 * Events in and alerts, Jira outbox rows and activity out, for the Jira sync specs. Every spec
 * uses a `service` value of its own: the database is shared and alerts group by fingerprint.
 */

export const uniqueSvc = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;

/**
 * A key for linking by hand: above 2^31, so never one the double's create stub hands out, and
 * random, so no other alert of the shared database has it (a webhook acts on every alert of a key).
 */
export const handKey = (): string => `OPS-${randomInt(3_000_000_000, 9_999_999_999)}`;

export async function send(topic: string, events: LogEvent[], slice = 500): Promise<void> {
  const messages: Message[] = events.map((e) => ({ key: e.request_id, value: encode(e) }));
  for (let i = 0; i < messages.length; i += slice)
    await produce(topic, messages.slice(i, i + slice));
}

export const priceMissing = (service: string, product: string) =>
  logEvent({ service, error_code: 'PRICE_MISSING', product_id: product });
export const timeout = (service: string, endpoint: string) =>
  logEvent({ service, error_code: 'TIMEOUT', endpoint });
export const databaseError = (service: string) =>
  logEvent({ service, error_code: 'DATABASE_ERROR' });

export interface SyncAlert {
  id: string;
  fingerprint: string;
  issue_code: string;
  severity: string;
  status: string;
  group_labels: Record<string, string>;
  occurrences: number;
  jira_issue_key: string | null;
  version: number;
  resolved_by: string | null;
  resolution_reason: string | null;
}

const COLUMNS = `id, fingerprint, issue_code, severity, status, group_labels,
  occurrences::int AS occurrences, jira_issue_key, version, resolved_by, resolution_reason`;

export function alertsOfSvc(service: string): Promise<SyncAlert[]> {
  return query<SyncAlert>(
    `SELECT ${COLUMNS} FROM alerts WHERE metadata->>'service' = $1 ORDER BY created_at, id`,
    [service],
  );
}

export async function alertById(id: string): Promise<SyncAlert> {
  const [row] = await query<SyncAlert>(`SELECT ${COLUMNS} FROM alerts WHERE id = $1`, [id]);
  if (!row) throw new Error(`no alert ${id}`);
  return row;
}

/** Waits for exactly `count` alerts of `service`. */
export function alertsOnceThere(service: string, count: number, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const alerts = await alertsOfSvc(service);
      if (alerts.length !== count)
        throw new Error(`${service}: ${alerts.length} alerts, waiting for ${count}`);
      return alerts;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** The alert of `service` whose group labels include `labels`. */
export function alertWith(alerts: SyncAlert[], labels: Record<string, string>): SyncAlert {
  const found = alerts.find((a) =>
    Object.entries(labels).every(([k, v]) => a.group_labels[k] === v),
  );
  if (!found) throw new Error(`no alert with ${JSON.stringify(labels)}`);
  return found;
}

/** Occurrence rows stored for events of `service`. */
export async function occurrenceRows(service: string): Promise<number> {
  const [{ n }] = await query<{ n: number }>(
    `SELECT count(*)::int AS n FROM alert_occurrences WHERE event->>'service' = $1`,
    [service],
  );
  return n;
}

export interface OutboxRow {
  id: string;
  action: string;
  status: string;
  dedupe_key: string;
  attempts: number;
  last_error: string | null;
  payload: Record<string, unknown>;
}

export function outboxOf(alertId: string): Promise<OutboxRow[]> {
  return query<OutboxRow>(
    `SELECT id, action, status, dedupe_key, attempts, last_error, payload FROM jira_outbox
      WHERE alert_id = $1 ORDER BY id`,
    [alertId],
  );
}

/** Waits until none of the alerts' outbox rows is pending; returns them all. */
export function outboxSettled(alertIds: string[], timeoutMs = 30_000) {
  return eventually(
    async () => {
      const rows = await query<OutboxRow & { alert_id: string }>(
        `SELECT id, alert_id, action, status, dedupe_key, attempts, last_error, payload
           FROM jira_outbox WHERE alert_id = ANY($1::uuid[]) ORDER BY id`,
        [alertIds],
      );
      const pending = rows.filter((r) => r.status === 'pending');
      if (pending.length > 0)
        throw new Error(`pending: ${pending.map((r) => r.dedupe_key).join(', ')}`);
      return rows;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

export interface Activity {
  action: string;
  actor: string;
  from_status: string | null;
  to_status: string;
  reason: string | null;
  note: string | null;
}

export function activityOfAlert(alertId: string): Promise<Activity[]> {
  return query<Activity>(
    `SELECT action, actor, from_status, to_status, reason, note FROM alert_activity
      WHERE alert_id = $1 ORDER BY at, id`,
    [alertId],
  );
}

/** `stacklens-` and the first 16 hex characters of the fingerprint, as the README names it. */
export const fingerprintLabel = (fingerprint: string): string =>
  `stacklens-${fingerprint.slice(0, 16)}`;
