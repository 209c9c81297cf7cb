import { Inject, Injectable } from '@nestjs/common';
import { jiraConfig, JiraConfig } from '../config/configuration';
import { AlertNotFoundError } from './alert-lifecycle.errors';

/**
 * Runs one statement on the caller's connection, inside its transaction when it has one
 * (EntityManager.query, QueryRunner.query, ...): a Jira action commits or rolls back with the
 * alert change that caused it.
 */
export type RunSql = (sql: string, params: unknown[]) => Promise<unknown>;

/** The actor of changes that come from Jira (webhooks); they are never echoed back to Jira. */
export const JIRA_ACTOR = 'jira';

export type JiraAction = 'create' | 'resolve' | 'reopen' | 'comment';
export type OutboxStatus = 'pending' | 'done' | 'failed';

/** Why an alert was resolved or reopened, for the comment on its ticket. */
export interface TransitionCause {
  reason?: string | null;
  actor: string;
  note?: string | null;
}

/** An operator asked for a ticket for an alert that has one. */
export class JiraAlreadyLinkedError extends Error {
  constructor(
    readonly alertId: string,
    readonly key: string,
  ) {
    super(`alert ${alertId} is already linked to ${key}`);
    this.name = JiraAlreadyLinkedError.name;
  }
}

/** A Jira request while JIRA_BASE_URL is unset. */
export class JiraDisabledError extends Error {
  constructor() {
    super('Jira integration is off: JIRA_BASE_URL is not set');
    this.name = JiraDisabledError.name;
  }
}

/** Rows of a statement whichever query function ran it (TypeORM answers UPDATE with [rows, count]). */
export function rowsOf<T>(result: unknown): T[] {
  if (!Array.isArray(result)) {
    const records = (result as { records?: unknown } | null)?.records;
    return Array.isArray(records) ? (records as T[]) : [];
  }
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** Whether alert `a` has a ticket, or will have one once its pending create is delivered. */
const HAS_TICKET = (a: string) => `(${a}.jira_issue_key IS NOT NULL OR EXISTS (
    SELECT 1 FROM jira_outbox c WHERE c.dedupe_key = 'create:' || ${a}.id AND c.status = 'pending'))`;

/**
 * Creates for touched alerts that now qualify, reopens for regressed alerts with a ticket. The
 * NOT EXISTS spares the unique index a speculative insert per batch while a create waits; ORDER BY
 * keeps concurrent batches taking the dedupe keys in one order.
 */
const AFTER_BATCH_SQL = `
  WITH creates AS (
    INSERT INTO jira_outbox (alert_id, action, dedupe_key)
    SELECT a.id, 'create', 'create:' || a.id
      FROM alerts a
     WHERE a.id = ANY($1::uuid[])
       AND a.jira_issue_key IS NULL AND a.status <> 'resolved'
       AND a.severity = ANY($2::text[]) AND a.occurrences >= $3::bigint
       AND NOT EXISTS (SELECT 1 FROM jira_outbox o WHERE o.dedupe_key = 'create:' || a.id)
     ORDER BY a.id
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING 1
  )
  INSERT INTO jira_outbox (alert_id, action, dedupe_key, payload)
  SELECT a.id, 'reopen', 'reopen:' || a.id || ':' || a.version, $4::jsonb
    FROM alerts a
   WHERE a.id = ANY($5::uuid[]) AND ${HAS_TICKET('a')}
   ORDER BY a.id
  ON CONFLICT (dedupe_key) DO NOTHING`;

const TRANSITION_SQL = `
  INSERT INTO jira_outbox (alert_id, action, dedupe_key, payload)
  SELECT a.id, $2::text, $2::text || ':' || a.id || ':' || $3::int, $4::jsonb
    FROM alerts a
   WHERE a.id = $1 AND ${HAS_TICKET('a')}
  ON CONFLICT (dedupe_key) DO NOTHING`;

/**
 * An operator's request for a ticket: a create row, or the existing one back to pending (parked
 * as failed, or done for an alert unlinked since; the worker then finds that ticket by its label
 * and links it again rather than opening a second one).
 */
const CREATE_SQL = `
  WITH alert AS (
    SELECT id, jira_issue_key FROM alerts WHERE id = $1 FOR UPDATE
  ), requeued AS (
    UPDATE jira_outbox o
       SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL,
           last_error = NULL, done_at = NULL, updated_at = now()
      FROM alert a
     WHERE o.dedupe_key = 'create:' || a.id AND a.jira_issue_key IS NULL AND o.status <> 'pending'
    RETURNING o.id
  ), inserted AS (
    INSERT INTO jira_outbox (alert_id, action, dedupe_key, payload)
    SELECT a.id, 'create', 'create:' || a.id, '{"requested": true}'::jsonb
      FROM alert a
     WHERE a.jira_issue_key IS NULL
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id
  )
  SELECT a.jira_issue_key,
         EXISTS (SELECT 1 FROM requeued) OR EXISTS (SELECT 1 FROM inserted) AS queued
    FROM alert a`;

const RETRY_SQL = `
  WITH alert AS (
    SELECT id FROM alerts WHERE id = $1
  ), retried AS (
    UPDATE jira_outbox o
       SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL,
           last_error = NULL, updated_at = now()
      FROM alert a
     WHERE o.alert_id = a.id AND o.status = 'failed'
    RETURNING o.id
  )
  SELECT (SELECT count(*) FROM retried)::int AS retried FROM alert`;

/**
 * The producer side of the Jira outbox: the alert changes that need a Jira action queue it here,
 * in their own transaction, so it is never lost (the change committed) nor sent for a change
 * that rolled back. Delivery is src/jira's business. Every method is a no-op while Jira is off.
 */
@Injectable()
export class JiraOutbox {
  constructor(@Inject(jiraConfig.KEY) private readonly config: JiraConfig) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  /**
   * After a consumed batch, in its transaction and after its alert writes: a `create` for each
   * touched alert that now meets JIRA_CREATE_FOR and JIRA_MIN_OCCURRENCES, a `reopen` for each
   * alert the batch reopened that has a ticket. One statement; queuing twice is harmless.
   */
  async enqueueAfterBatch(
    run: RunSql,
    touchedAlertIds: readonly string[],
    reopened: ReadonlyArray<{ id: string }>,
  ): Promise<void> {
    if (!this.enabled || (touchedAlertIds.length === 0 && reopened.length === 0)) return;
    await run(AFTER_BATCH_SQL, [
      touchedAlertIds,
      this.config.createFor,
      this.config.minOccurrences,
      { reason: 'regression', actor: 'system' },
      reopened.map((a) => a.id),
    ]);
  }

  /** `version`: the alert's version after the resolve (one row per resolve, never two). */
  async enqueueResolve(
    run: RunSql,
    alertId: string,
    version: number,
    cause: TransitionCause,
  ): Promise<void> {
    await this.enqueueTransition(run, 'resolve', alertId, version, cause);
  }

  async enqueueReopen(
    run: RunSql,
    alertId: string,
    version: number,
    cause: TransitionCause,
  ): Promise<void> {
    await this.enqueueTransition(run, 'reopen', alertId, version, cause);
  }

  /**
   * A ticket on request, whatever the alert's severity or status. Throws JiraDisabledError,
   * AlertNotFoundError, or JiraAlreadyLinkedError when the alert has a ticket.
   */
  async enqueueCreate(run: RunSql, alertId: string): Promise<{ status: OutboxStatus }> {
    if (!this.enabled) throw new JiraDisabledError();
    const [row] = rowsOf<{ jira_issue_key: string | null }>(await run(CREATE_SQL, [alertId]));
    if (!row) throw new AlertNotFoundError(alertId);
    if (row.jira_issue_key) throw new JiraAlreadyLinkedError(alertId, row.jira_issue_key);
    return { status: 'pending' };
  }

  /** The alert's failed rows back to pending, due now; how many. */
  async retryFailed(run: RunSql, alertId: string): Promise<number> {
    if (!this.enabled) throw new JiraDisabledError();
    const [row] = rowsOf<{ retried: number }>(await run(RETRY_SQL, [alertId]));
    if (!row) throw new AlertNotFoundError(alertId);
    return row.retried;
  }

  /**
   * For statements that resolve many alerts at once (the quiet sweep): a CTE, to append to the
   * statement's WITH list, queuing a `resolve` for each row of `resolved` (a CTE returning the
   * alerts' id, version and jira_issue_key). Empty while Jira is off.
   */
  resolvedRowsCte(resolved: string, cause: { reason: string; actor: string }): string {
    if (!this.enabled) return '';
    const payload = JSON.stringify(cause).replace(/'/g, "''");
    return `, jira_queued AS (
      INSERT INTO jira_outbox (alert_id, action, dedupe_key, payload)
      SELECT r.id, 'resolve', 'resolve:' || r.id || ':' || r.version, '${payload}'::jsonb
        FROM ${resolved} r
       WHERE ${HAS_TICKET('r')}
       ORDER BY r.id
      ON CONFLICT (dedupe_key) DO NOTHING
    )`;
  }

  private async enqueueTransition(
    run: RunSql,
    action: 'resolve' | 'reopen',
    alertId: string,
    version: number,
    { reason = null, actor, note = null }: TransitionCause,
  ): Promise<void> {
    if (!this.enabled) return;
    await run(TRANSITION_SQL, [alertId, action, version, { reason, actor, note }]);
  }
}
