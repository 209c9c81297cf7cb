import { Inject, Injectable } from '@nestjs/common';
import { finished } from 'node:stream/promises';
import { Client, DatabaseError } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, QueryRunner } from 'typeorm';
import {
  alertsConfig,
  AlertsConfig,
  databaseConfig,
  DatabaseConfig,
} from '../config/configuration';
import { ActivityAction, AlertStatus, SYSTEM_ACTOR } from '../events/alert.enums';
import { eventIdentity } from '../events/event-identity';
import {
  COPY_OCCURRENCES_SQL,
  FIND_ALERTS_SQL,
  INSERT_ACTIVITY_SQL,
  INSERT_ALERTS_SQL,
  INSERT_OCCURRENCES_SQL,
  LOCK_ALERTS_SQL,
  REOPEN_ALERTS_SQL,
  UPDATE_ALERTS_SQL,
} from './alert-groups.sql';
import { AlertTarget, ExistingAlert, overflowFingerprint, planTargets } from './alert-targets';
import { boundedEvent, isTruncated } from './bounded-event';
import { JiraOutbox } from './jira-outbox';
import { OccurrenceInput, PreparedOccurrence } from './occurrence-input';
import { binaryCopy, byKey, OccurrenceRow, recordsetParameter } from './occurrence-rows';
import { StormGuard } from './storm-guard';

/** What one batch changed; counts are of new occurrences only (copies already counted are duplicates). */
export interface RecordResult {
  counted: number;
  duplicates: number;
  opened: Array<{ id: string; issueCode: string; severity: string; fingerprint: string }>;
  reopened: string[];
  /** Detectors whose storm guard tripped in this batch. */
  folding: string[];
  /** How the occurrences went in (see OccurrenceWrite). */
  occurrenceWrite: OccurrenceWrite;
}

/**
 * `copy`: COPY, every row new. `copy_refused`: COPY met a copy already stored, so the rows went
 * in with INSERT ... ON CONFLICT after all. `insert`: straight to INSERT, while copies are likely.
 */
export type OccurrenceWrite = 'copy' | 'copy_refused' | 'insert';

/**
 * After a COPY meets a stored copy, writes go straight to INSERT for this long. Copies come in
 * runs (a partition re-read after a rebalance or a crash, a replay, a re-consume), and every
 * refused COPY costs a round trip and an ERROR line in the Postgres log.
 */
const INSERT_ONLY_AFTER_COPIES_MS = 10_000;

/** SQLSTATE unique_violation: the only unique key of alert_occurrences is its primary key. */
const UNIQUE_VIOLATION = '23505';

/** The occurrences a write counted as new, by occurrenceKey. */
interface Fresh {
  has(key: string): boolean;
}
const ALL_FRESH: Fresh = { has: () => true };

/**
 * Another instance changed an alert this batch was about to count on (opened the same
 * fingerprint, or resolved or reopened the alert) between the lookup and the write. The
 * transaction is rolled back; retrying the batch sees the new state. Transient by nature.
 */
export class AlertRaceError extends Error {
  readonly race = true;
  constructor(detail: string) {
    super(`alert changed concurrently: ${detail}`);
    this.name = AlertRaceError.name;
  }
}

interface Aggregate {
  occurrences: number;
  first: PreparedOccurrence;
  last: PreparedOccurrence;
}

/**
 * Writes one batch of alert-worthy events as occurrences of their alerts, in one transaction:
 * look up the alerts of the batch's fingerprints, insert the occurrences (copies already counted
 * are skipped by the primary key), then touch each alert once with what was new. A storm of one
 * problem therefore costs one row update per batch, not one per event.
 */
@Injectable()
export class AlertGroupsWriter {
  private readonly guard: StormGuard;
  /** Until then (epoch ms) occurrences skip COPY: a recent write met copies already stored. */
  private insertOnlyUntil = 0;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(alertsConfig.KEY) private readonly alerts: AlertsConfig,
    @Inject(databaseConfig.KEY) private readonly database: DatabaseConfig,
    private readonly jira: JiraOutbox,
  ) {
    this.guard = new StormGuard(alerts.maxNewPerMinute);
  }

  async write(inputs: OccurrenceInput[]): Promise<RecordResult> {
    const { groups, duplicatesInBatch } = prepare(inputs);
    const folding = new Set<string>();
    const admitted = new Map<string, number>();
    const folded = new Map<string, string[]>();
    const admitNew = (detector: string) => {
      const ok = this.guard.admit(detector, Date.now(), () => folding.add(detector));
      if (ok) admitted.set(detector, (admitted.get(detector) ?? 0) + 1);
      return ok;
    };
    const result = await this.inTransaction(async (tx) => {
      const fingerprints = [...groups.keys()];
      for (const o of groups.values())
        fingerprints.push(overflowFingerprint(o[0].input.match.detector));
      const existing = await this.findAlerts(tx, [...new Set(fingerprints)]);
      const targets = planTargets(groups, existing, {
        reopenWindowMs: this.alerts.reopenWindowMs,
        now: Date.now(),
        admitNew,
      });
      for (const t of targets) if (t.overflow) folded.set(t.match.detector, t.foldedFingerprints);
      const { fresh, how } = await this.insertOccurrences(tx, targets);
      const changes = await this.applyCounts(tx, targets, fresh);
      // Same transaction: a ticket is queued exactly when the alert change that calls for it commits.
      await this.jira.enqueueAfterBatch(
        (sql, params) => tx.rows(sql, params),
        [...new Set(targets.map((t) => t.alertId))],
        changes.reopened.map((id) => ({ id })),
      );
      return { ...changes, occurrenceWrite: how };
    }).catch((err: unknown) => {
      // Nothing was opened or folded: a retry must find the guard as it was before this batch.
      for (const [detector, count] of admitted) this.guard.refund(detector, count);
      for (const [detector, fingerprints] of folded)
        this.guard.forgetFolded(detector, fingerprints);
      throw err;
    });
    return { ...result, duplicates: result.duplicates + duplicatesInBatch, folding: [...folding] };
  }

  /**
   * One transaction on one connection. After an error the connection goes back to the pool only
   * when Postgres itself ended the failed statement (an error with a SQLSTATE, or our own
   * AlertRaceError between statements) and the ROLLBACK succeeded. Otherwise it is destroyed:
   * after a client-side query timeout the server may still be running the statement, the
   * ROLLBACK may time out behind it, and a pooled connection left inside that transaction would
   * let the retry count this batch's occurrences against alerts that were never inserted.
   */
  private async inTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner() as QueryRunner & {
      releasePostgresConnection(err?: unknown): Promise<void>;
    };
    let failure: unknown = null;
    let clean = false;
    try {
      await runner.connect();
      await runner.startTransaction();
      const result = await work(new Tx(runner));
      await runner.commitTransaction();
      return result;
    } catch (err) {
      failure = err;
      const rolledBack =
        runner.isTransactionActive &&
        (await runner.rollbackTransaction().then(
          () => true,
          () => false,
        ));
      clean = rolledBack && endedByServer(err);
      throw err;
    } finally {
      if (failure === null || clean) await runner.release();
      else await runner.releasePostgresConnection(failure);
    }
  }

  private async findAlerts(tx: Tx, fingerprints: string[]) {
    const rows = await tx.rows<{
      id: string;
      fingerprint: string;
      status: AlertStatus;
      resolved_at: Date | null;
    }>(FIND_ALERTS_SQL, [fingerprints]);
    return new Map<string, ExistingAlert>(
      rows.map((r) => [
        r.fingerprint,
        { id: r.id, fingerprint: r.fingerprint, status: r.status, resolvedAt: r.resolved_at },
      ]),
    );
  }

  /**
   * The batch's occurrences, by COPY unless a recent write met stored copies. A COPY that meets one
   * is rolled back to its savepoint (nothing else of the transaction is lost) and the rows go in
   * with INSERT ... ON CONFLICT DO NOTHING, whose RETURNING tells the new ones from the copies.
   * Rows go in key order either way (see byKey).
   */
  private async insertOccurrences(
    tx: Tx,
    targets: AlertTarget[],
  ): Promise<{ fresh: Fresh; how: OccurrenceWrite }> {
    const rows: OccurrenceRow[] = [];
    for (const t of targets) {
      for (const o of t.occurrences) {
        const { topic, partition, offset } = o.input.ref;
        rows.push({
          eventId: o.eventId,
          eventTime: o.eventTime,
          alertId: t.alertId,
          topic,
          partition,
          offset,
          event: this.storedBytes(o),
        });
      }
    }
    let how: OccurrenceWrite = 'insert';
    if (Date.now() >= this.insertOnlyUntil) {
      rows.sort(byKey);
      await tx.rows('SAVEPOINT occurrences', []);
      try {
        await tx.copyIn(COPY_OCCURRENCES_SQL, binaryCopy(rows));
        return { fresh: ALL_FRESH, how: 'copy' };
      } catch (err) {
        if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
        await tx.rows('ROLLBACK TO SAVEPOINT occurrences', []);
        this.insertOnlyUntil = Date.now() + INSERT_ONLY_AFTER_COPIES_MS;
        how = 'copy_refused';
      }
    }
    const inserted = await tx.rows<{ event_id: string; event_ms: string }>(INSERT_OCCURRENCES_SQL, [
      recordsetParameter(rows),
    ]);
    return { fresh: new Set(inserted.map((r) => occurrenceKey(r.event_id, r.event_ms))), how };
  }

  private async applyCounts(
    tx: Tx,
    targets: AlertTarget[],
    fresh: Fresh,
  ): Promise<Omit<RecordResult, 'folding' | 'occurrenceWrite'>> {
    const inserts: object[] = [];
    const updates: object[] = [];
    const reopens: object[] = [];
    /** Existing alerts this batch counts on: locked together, in id order (LOCK_ALERTS_SQL). */
    const locking: string[] = [];
    const activity: object[] = [];
    const byId = new Map<string, AlertTarget>();
    let counted = 0;
    let duplicates = 0;
    for (const target of targets) {
      const agg = aggregate(
        target.occurrences.filter((o) => fresh.has(occurrenceKey(o.eventId, o.eventTime))),
      );
      duplicates += target.occurrences.length - (agg?.occurrences ?? 0);
      // Only copies of events already counted: nothing changes (a redelivery never reopens).
      if (!agg) continue;
      counted += agg.occurrences;
      byId.set(target.alertId, target);
      const counters = {
        id: target.alertId,
        occurrences: agg.occurrences,
        first_seen_at: new Date(agg.first.eventTime).toISOString(),
        last_seen_at: new Date(agg.last.eventTime).toISOString(),
        last_event: this.stored(agg.last),
        folded_fingerprints: target.overflow
          ? this.guard.newlyFolded(target.match.detector, target.foldedFingerprints)
          : 0,
      };
      if (target.kind === 'insert') inserts.push(this.newAlert(target, agg, counters));
      else if (target.kind === 'reopen') reopens.push(counters);
      else updates.push({ ...counters, late: target.kind === 'late' });
      if (target.kind !== 'insert') locking.push(target.alertId);
    }

    // Before the INSERT too: its conflicts wait on other batches' new rows, and a batch waiting
    // there must not be holding rows that batch is waiting for.
    if (locking.length > 0) await tx.rows(LOCK_ALERTS_SQL, [locking]);
    const opened: RecordResult['opened'] = [];
    if (inserts.length > 0) {
      const rows = await tx.rows<{ id: string; fingerprint: string }>(INSERT_ALERTS_SQL, [
        JSON.stringify(inserts),
      ]);
      if (rows.length !== inserts.length) {
        const mine = new Set(rows.map((r) => r.id));
        const lost = [...byId.values()].find((t) => t.kind === 'insert' && !mine.has(t.alertId));
        throw new AlertRaceError(`fingerprint ${lost?.fingerprint ?? '?'} opened elsewhere`);
      }
      for (const row of rows) {
        const target = byId.get(row.id)!;
        const { issueCode, severity } = target.match.candidate;
        opened.push({ id: row.id, issueCode, severity, fingerprint: row.fingerprint });
        activity.push(systemActivity(row.id, null, AlertStatus.OPEN, ActivityAction.OPENED, null));
      }
    }
    if (updates.length > 0) {
      const rows = await tx.rows<{ id: string; status: AlertStatus; late: boolean }>(
        UPDATE_ALERTS_SQL,
        [JSON.stringify(updates)],
      );
      if (rows.length !== updates.length) throw new AlertRaceError('an alert was deleted');
      const regressed = rows.find((r) => !r.late && r.status === AlertStatus.RESOLVED);
      if (regressed) throw new AlertRaceError(`alert ${regressed.id} was resolved meanwhile`);
    }
    const reopened: string[] = [];
    if (reopens.length > 0) {
      const rows = await tx.rows<{ id: string }>(REOPEN_ALERTS_SQL, [JSON.stringify(reopens)]);
      if (rows.length !== reopens.length)
        throw new AlertRaceError('an alert was reopened meanwhile');
      for (const row of rows) {
        reopened.push(row.id);
        activity.push(
          systemActivity(
            row.id,
            AlertStatus.RESOLVED,
            AlertStatus.OPEN,
            ActivityAction.REOPENED,
            'regression',
          ),
        );
      }
    }
    if (activity.length > 0) await tx.rows(INSERT_ACTIVITY_SQL, [JSON.stringify(activity)]);
    return { counted, duplicates, opened, reopened };
  }

  private newAlert(target: AlertTarget, agg: Aggregate, counters: object): object {
    const { candidate, detector, groupLabels } = target.match;
    const opening = agg.first.input.event;
    const rawLog = this.stored(agg.first);
    return {
      ...counters,
      fingerprint: target.fingerprint,
      detector,
      group_labels: groupLabels,
      issue_code: candidate.issueCode,
      severity: candidate.severity,
      suggested_fix: candidate.suggestedFix,
      confidence: candidate.confidence,
      raw_log: rawLog,
      metadata: {
        request_id: opening.request_id,
        service: opening.service,
        log_level: opening.log_level,
        ...(isTruncated(rawLog) ? { raw_log_truncated: true } : {}),
      },
      overflow: target.overflow,
    };
  }

  /** The stored event as UTF-8 JSON: the received bytes when they are whole and within the limit. */
  private storedBytes(o: PreparedOccurrence): Buffer {
    const { raw, receivedBytes } = o.input;
    if (raw !== undefined && receivedBytes <= this.database.rawLogMaxBytes) return withoutBom(raw);
    return Buffer.from(JSON.stringify(this.stored(o)), 'utf8');
  }

  private stored(o: PreparedOccurrence): object {
    return boundedEvent(o.input.event, this.database.rawLogMaxBytes, o.input.receivedBytes);
  }
}

/** Rows of any statement: TypeORM's plain query() returns [rows, count] for UPDATE, rows otherwise. */
class Tx {
  constructor(private readonly runner: QueryRunner) {}

  async rows<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    const result = await this.runner.query(sql, parameters, true);
    return (result as { records: T[] }).records;
  }

  /**
   * COPY ... FROM STDIN on the transaction's own connection (TypeORM has no COPY). The pool's
   * query_timeout bounds it like any query, and its errors carry Postgres' SQLSTATE as `code`.
   */
  async copyIn(sql: string, data: Buffer): Promise<void> {
    const client = (this.runner as QueryRunner & { databaseConnection: Client }).databaseConnection;
    const copy = client.query(copyFrom(sql));
    // One buffer, so end() and finished(), not stream.pipeline: pipeline's AbortController per
    // call, aborted at the end (a DOMException with its stack trace), showed in profiles.
    copy.end(data);
    await finished(copy);
  }
}

/**
 * The parser's decoder skips a byte order mark (EF BB BF); jsonb would refuse it. Byte by byte:
 * a subarray to compare, per event, showed in profiles.
 */
function withoutBom(raw: Buffer): Buffer {
  const bom = raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  return bom ? raw.subarray(3) : raw;
}

/** Postgres ended the failed statement itself (its errors are pg's DatabaseError), or none was running. */
function endedByServer(err: unknown): boolean {
  if (err instanceof AlertRaceError) return true;
  return (
    err instanceof DatabaseError ||
    (err as { driverError?: unknown } | null)?.driverError instanceof DatabaseError
  );
}

/** An occurrence's key: its identity and its event time (epoch ms), as in the table's primary key. */
function occurrenceKey(eventId: string, eventTime: number | string): string {
  return `${eventId}@${eventTime}`;
}

/** Computes identities once, drops copies of one event within the batch, groups by fingerprint. */
function prepare(inputs: OccurrenceInput[]) {
  const seen = new Set<string>();
  const groups = new Map<string, PreparedOccurrence[]>();
  let duplicatesInBatch = 0;
  for (const input of inputs) {
    const eventId = eventIdentity(input.event);
    const eventTime = Date.parse(input.event.timestamp);
    // The same key as the table's, so a count never depends on where batch boundaries fell.
    const key = occurrenceKey(eventId, eventTime);
    if (seen.has(key)) {
      duplicatesInBatch++;
      continue;
    }
    seen.add(key);
    const prepared = { input, eventId, eventTime };
    const group = groups.get(input.match.fingerprint);
    if (group) group.push(prepared);
    else groups.set(input.match.fingerprint, [prepared]);
  }
  return { groups, duplicatesInBatch };
}

function aggregate(occurrences: PreparedOccurrence[]): Aggregate | null {
  if (occurrences.length === 0) return null;
  let first = occurrences[0];
  let last = occurrences[0];
  for (const o of occurrences) {
    if (o.eventTime < first.eventTime) first = o;
    if (o.eventTime >= last.eventTime) last = o;
  }
  return { occurrences: occurrences.length, first, last };
}

function systemActivity(
  alertId: string,
  from: AlertStatus | null,
  to: AlertStatus,
  action: ActivityAction,
  reason: string | null,
) {
  return {
    alert_id: alertId,
    from_status: from,
    to_status: to,
    action,
    actor: SYSTEM_ACTOR,
    reason,
  };
}
