import { Inject, Injectable } from '@nestjs/common';
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
import { StormGuard } from './storm-guard';

/** What one batch changed; counts are of new occurrences only (copies already counted are duplicates). */
export interface RecordResult {
  counted: number;
  duplicates: number;
  opened: Array<{ id: string; issueCode: string; severity: string; fingerprint: string }>;
  reopened: string[];
  /** Detectors whose storm guard tripped in this batch. */
  folding: string[];
}

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
      const fresh = await this.insertOccurrences(tx, targets);
      const changes = await this.applyCounts(tx, targets, fresh);
      // Same transaction: a ticket is queued exactly when the alert change that calls for it commits.
      await this.jira.enqueueAfterBatch(
        (sql, params) => tx.rows(sql, params),
        [...new Set(targets.map((t) => t.alertId))],
        changes.reopened.map((id) => ({ id })),
      );
      return changes;
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
   * One transaction on one connection. On any error the connection is destroyed, not returned to
   * the pool: after a client-side query timeout the server may still be running the statement,
   * the ROLLBACK may time out behind it, and a pooled connection left inside that transaction
   * would let the retry count this batch's occurrences against alerts that were never inserted.
   */
  private async inTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner() as QueryRunner & {
      releasePostgresConnection(err?: unknown): Promise<void>;
    };
    let failure: unknown = null;
    try {
      await runner.connect();
      await runner.startTransaction();
      const result = await work(new Tx(runner));
      await runner.commitTransaction();
      return result;
    } catch (err) {
      failure = err;
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      if (failure === null) await runner.release();
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
   * The rows go to Postgres as one jsonb parameter in its binary input format (a version byte,
   * then JSON text), written by hand around each event's received bytes: serialising ~500-byte
   * events again, and then concatenating and re-encoding them as one string, were the largest
   * per-event costs after JSON.parse. Every other value is a hex identity, a uuid, an ISO time,
   * a Kafka offset (digits), a number or an ASCII JSON string, so each row's head is as many
   * bytes as characters.
   */
  private async insertOccurrences(tx: Tx, targets: AlertTarget[]): Promise<Set<string>> {
    const heads: string[] = [];
    const bodies: Buffer[] = [];
    let size = JSONB_HEADER.length + 2; // header, "[" and "]"
    for (const t of targets) {
      for (const o of t.occurrences) {
        const { topic, partition, offset } = o.input.ref;
        const head =
          (heads.length > 0 ? ',' : '') +
          `{"event_id":"${o.eventId}","event_time":"${new Date(o.eventTime).toISOString()}",` +
          `"alert_id":"${t.alertId}","source_topic":${asciiJson(topic)},` +
          `"source_partition":${partition},"source_offset":"${offset}","event":`;
        const body = this.storedBytes(o);
        heads.push(head);
        bodies.push(body);
        size += head.length + body.length + 1; // and the row's "}"
      }
    }
    const rows = Buffer.allocUnsafe(size);
    let at = JSONB_HEADER.copy(rows, 0);
    at += rows.write('[', at, 'latin1');
    for (let i = 0; i < heads.length; i++) {
      at += rows.write(heads[i], at, 'latin1');
      at += bodies[i].copy(rows, at);
      at += rows.write('}', at, 'latin1');
    }
    rows.write(']', at, 'latin1');
    const inserted = await tx.rows<{ event_id: string; event_ms: string }>(INSERT_OCCURRENCES_SQL, [
      rows,
    ]);
    return new Set(inserted.map((r) => occurrenceKey(r.event_id, r.event_ms)));
  }

  private async applyCounts(
    tx: Tx,
    targets: AlertTarget[],
    fresh: Set<string>,
  ): Promise<Omit<RecordResult, 'folding'>> {
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
}

/** jsonb's binary input format starts with its version, 1; the JSON text follows. */
const JSONB_HEADER = Buffer.from([1]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The parser's decoder skips a byte order mark; jsonb would refuse it. */
function withoutBom(raw: Buffer): Buffer {
  return raw.length >= 3 && UTF8_BOM.equals(raw.subarray(0, 3)) ? raw.subarray(3) : raw;
}

/** A topic name as a JSON string in ASCII (\u escapes), cached: there are a handful. */
const asciiJsonCache = new Map<string, string>();
function asciiJson(value: string): string {
  let json = asciiJsonCache.get(value);
  if (json === undefined) {
    json = JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    if (asciiJsonCache.size < 1_000) asciiJsonCache.set(value, json);
  }
  return json;
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
