import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ActivityAction, AlertStatus, ResolutionReason } from '../events/alert.enums';
import {
  AlertNotFoundError,
  FingerprintAlreadyOpenError,
  IllegalTransitionError,
  StaleVersionError,
} from './alert-lifecycle.errors';
import { entityFromRow } from './alert-queries.service';
import { Alert } from './alert.entity';
import { JIRA_ACTOR, JiraOutbox } from './jira-outbox';

export interface ChangeOptions {
  /** The version the caller decided on (HTTP If-Match); absent: apply to whatever is current. */
  expectedVersion?: number;
  note?: string;
}

/**
 * For changes whose target state may already hold (a Jira webhook echoing our own transition):
 * an alert already in that state is returned as it is, with no error and no activity row.
 */
export interface IdempotentOption {
  ifNotAlready?: boolean;
}

type Row = Record<string, unknown>;

const OPEN_FINGERPRINT_INDEX = 'alerts_open_fingerprint_uq';
const ALL_STATUSES = Object.values(AlertStatus);

/** One lifecycle or Jira change: which statuses it applies to and what it sets. */
interface Change {
  action: ActivityAction;
  from: readonly AlertStatus[];
  /** SET assignments besides the version; parameters $1-$3 are taken, `params` are $4 on. */
  set: string;
  params: unknown[];
  /** A further condition; when only it fails, the change is a no-op, not an error. */
  onlyIf?: string;
  /** Statuses in which the change is a no-op rather than an illegal transition. */
  already?: readonly AlertStatus[];
  /** The Jira action the change queues, in its transaction. */
  jira?: 'resolve' | 'reopen';
  reason?: string | null;
  note?: string | null;
}

/**
 * Acknowledge, resolve, reopen and Jira links, for people (the HTTP API, actor = token name) and
 * for the service itself or Jira (actor SYSTEM_ACTOR or 'jira'). Each change is one conditional
 * UPDATE, so of two people acting on the same version at once exactly one wins, and its activity
 * row commits with it.
 */
@Injectable()
export class AlertLifecycleService {
  /** Optional: without it (tools, specs) the lifecycle works and queues nothing for Jira. */
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() private readonly jira?: JiraOutbox,
  ) {}

  acknowledge(id: string, actor: string, options: ChangeOptions = {}): Promise<Alert> {
    return this.apply(id, actor, options.expectedVersion, {
      action: ActivityAction.ACKNOWLEDGED,
      from: [AlertStatus.OPEN],
      set: `status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $4`,
      params: [actor],
      note: options.note,
    });
  }

  resolve(
    id: string,
    actor: string,
    {
      reason = ResolutionReason.MANUAL,
      ...options
    }: ChangeOptions & IdempotentOption & { reason?: ResolutionReason } = {},
  ): Promise<Alert> {
    return this.apply(id, actor, options.expectedVersion, {
      action: ActivityAction.RESOLVED,
      from: [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
      set: `status = 'resolved', resolved_at = now(), resolved_by = $4, resolution_reason = $5`,
      params: [actor, reason],
      already: options.ifNotAlready ? [AlertStatus.RESOLVED] : undefined,
      jira: 'resolve',
      reason,
      note: options.note,
    });
  }

  /** `reason` is free text for the history, e.g. 'regression' when the service reopens. */
  async reopen(
    id: string,
    actor: string,
    options: ChangeOptions & IdempotentOption & { reason?: string } = {},
  ): Promise<Alert> {
    try {
      return await this.apply(id, actor, options.expectedVersion, {
        action: ActivityAction.REOPENED,
        from: [AlertStatus.RESOLVED],
        set: `status = 'open', reopen_count = a.reopen_count + 1,
              resolved_at = NULL, resolved_by = NULL, resolution_reason = NULL`,
        params: [],
        already: options.ifNotAlready ? [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED] : undefined,
        jira: 'reopen',
        reason: options.reason,
        note: options.note,
      });
    } catch (err) {
      if (violated(err) !== OPEN_FINGERPRINT_INDEX) throw err;
      throw new FingerprintAlreadyOpenError(id, await this.openAlertWithFingerprintOf(id));
    }
  }

  /** Linking the key that is already linked changes nothing and records nothing. */
  linkJira(id: string, actor: string, key: string, options: ChangeOptions = {}): Promise<Alert> {
    return this.apply(id, actor, options.expectedVersion, {
      action: ActivityAction.JIRA_LINKED,
      from: ALL_STATUSES,
      set: `jira_issue_key = $4`,
      params: [key],
      onlyIf: `a.jira_issue_key IS DISTINCT FROM $4`,
      note: key,
    });
  }

  unlinkJira(id: string, actor: string, options: ChangeOptions = {}): Promise<Alert> {
    return this.apply(id, actor, options.expectedVersion, {
      action: ActivityAction.JIRA_UNLINKED,
      from: ALL_STATUSES,
      set: `jira_issue_key = NULL`,
      params: [],
      onlyIf: `a.jira_issue_key IS NOT NULL`,
    });
  }

  private apply(
    id: string,
    actor: string,
    expectedVersion: number | undefined,
    change: Change,
  ): Promise<Alert> {
    return this.dataSource.transaction(async (manager) => {
      let row = await this.update(manager, id, expectedVersion, change);
      if (!row) {
        // Lock the row and say why. Under the lock the answer cannot change; if neither the
        // version nor the status explains the miss, the UPDATE raced a change that has committed
        // since, and one more try is decisive: a second miss can only be `onlyIf` (a no-op).
        const current = await this.lockedOrFail(manager, id);
        if (expectedVersion !== undefined && current.version !== expectedVersion) {
          throw new StaleVersionError(id, expectedVersion, current.version);
        }
        if (change.already?.includes(current.status)) return current;
        if (!change.from.includes(current.status)) {
          throw new IllegalTransitionError(id, change.action, current.status);
        }
        row = await this.update(manager, id, expectedVersion, change);
        if (!row) return current;
      }
      await manager.query(
        `INSERT INTO alert_activity (alert_id, from_status, to_status, action, actor, reason, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          id,
          row.from_status,
          row.status,
          change.action,
          actor,
          change.reason ?? null,
          change.note ?? null,
        ],
      );
      // A change that came from Jira is not sent back to it.
      if (change.jira && this.jira && actor !== JIRA_ACTOR) {
        const run = (sql: string, params: unknown[]) => manager.query(sql, params);
        const cause = { reason: change.reason, actor, note: change.note };
        if (change.jira === 'resolve') {
          await this.jira.enqueueResolve(run, id, Number(row.version), cause);
        } else {
          await this.jira.enqueueReopen(run, id, Number(row.version), cause);
        }
      }
      return entityFromRow(this.dataSource, Alert, row);
    });
  }

  /** The changed row and the status it left, or undefined when the conditions matched nothing. */
  private async update(
    manager: EntityManager,
    id: string,
    expectedVersion: number | undefined,
    change: Change,
  ): Promise<Row | undefined> {
    // `before` locks the row first and so reads its latest committed state: from_status is then
    // the status this change really left, even when another change committed meanwhile.
    // TypeORM's postgres driver answers an UPDATE with [rows, affected count].
    const [[row]] = await manager.query<[Row[], number]>(
      `UPDATE alerts a SET ${change.set}, version = a.version + 1
         FROM (SELECT id, status FROM alerts WHERE id = $1 FOR UPDATE) before
        WHERE a.id = before.id
          AND a.status = ANY($2::text[])
          AND ($3::int IS NULL OR a.version = $3::int)
          ${change.onlyIf ? `AND ${change.onlyIf}` : ''}
      RETURNING a.*, before.status AS from_status`,
      [id, change.from, expectedVersion ?? null, ...change.params],
    );
    return row;
  }

  private async lockedOrFail(manager: EntityManager, id: string): Promise<Alert> {
    const [row] = await manager.query<Row[]>(`SELECT * FROM alerts WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) throw new AlertNotFoundError(id);
    return entityFromRow(this.dataSource, Alert, row);
  }

  private async openAlertWithFingerprintOf(id: string): Promise<string | null> {
    const [row] = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT other.id FROM alerts a
         JOIN alerts other ON other.fingerprint = a.fingerprint
        WHERE a.id = $1 AND other.id <> a.id AND other.status <> 'resolved'`,
      [id],
    );
    return row?.id ?? null;
  }
}

/** The constraint or unique index a failed statement violated, if that was the failure. */
function violated(err: unknown): string | undefined {
  const e = err as { driverError?: { code?: string; constraint?: string } } | null;
  const driverError = e?.driverError ?? (err as { code?: string; constraint?: string } | null);
  return driverError?.code === '23505' ? driverError.constraint : undefined;
}
