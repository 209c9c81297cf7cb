import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { AlertSeverity, AlertStatus } from '../events/alert.enums';
import { AlertActivity } from './alert-activity.entity';
import { AlertNotFoundError } from './alert-lifecycle.errors';
import { AlertOccurrence } from './alert-occurrence.entity';
import { Alert } from './alert.entity';

export type AlertSort = 'last_seen_at' | 'occurrences';
export type SortOrder = 'asc' | 'desc';

export interface AlertFilter {
  statuses?: AlertStatus[];
  severities?: AlertSeverity[];
  issueCode?: string;
  /** metadata->>'service' (the opening event's) or group_labels->>'service'. */
  service?: string;
  /** Substring of issue_code, service or group labels, case-insensitive. */
  q?: string;
  /** On last_seen_at: since inclusive, until exclusive. */
  since?: Date;
  until?: Date;
}

/**
 * A position in a listing: the last row's sort key and its tie-breaking id. Timestamps travel as
 * microseconds since the epoch: a JS Date keeps milliseconds, and a key rounded to them would skip
 * or repeat rows that differ in the last three digits.
 */
export interface Keyset {
  key: string;
  id: string;
}

export interface PageRequest {
  limit: number;
  after?: Keyset;
}

export interface Page<T> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  next: Keyset | null;
}

export type JiraSyncStatus = 'none' | 'pending' | 'done' | 'failed';

/** Where the alert stands with Jira: its latest outbox row, and the error of its latest failed one. */
export interface JiraSyncState {
  status: JiraSyncStatus;
  error: string | null;
}

export type AlertWithJira = Alert & { jiraSync: JiraSyncState };

export interface AlertSummary {
  counts: Record<AlertStatus, Record<AlertSeverity, number>>;
  /** Oldest first: the 59 minutes before the current one, then the current (partial) minute. */
  perMinute: Array<{ minute: Date; count: number }>;
}

const micros = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;
const fromMicros = (param: string) =>
  `(timestamptz 'epoch' + ${param}::bigint * interval '1 microsecond')`;
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const SORTS: Record<AlertSort, { column: string; keyOut: string; keyIn: (p: string) => string }> = {
  last_seen_at: { column: 'a.last_seen_at', keyOut: micros('a.last_seen_at'), keyIn: fromMicros },
  occurrences: {
    column: 'a.occurrences',
    keyOut: 'a.occurrences::text',
    keyIn: (p) => `${p}::bigint`,
  },
};

/** Two index probes per alert (jira_outbox_alert_idx, jira_outbox_failed_idx). */
const JIRA_SYNC = (alias: string) => `
  LEFT JOIN LATERAL (
    SELECT (SELECT o.status FROM jira_outbox o WHERE o.alert_id = ${alias}.id
             ORDER BY o.id DESC LIMIT 1) AS jira_sync_status,
           (SELECT f.last_error FROM jira_outbox f WHERE f.alert_id = ${alias}.id AND f.status = 'failed'
             ORDER BY f.id DESC LIMIT 1) AS jira_sync_error
  ) jira ON true`;

/**
 * Read side of the alerts API, in hand-written SQL. Pages are keyset pages on (sort key, id),
 * never OFFSET: rows inserted between two page requests cannot shift a row into a page twice or
 * out of every page.
 */
@Injectable()
export class AlertQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(
    filter: AlertFilter,
    sort: { by: AlertSort; order: SortOrder },
    page: PageRequest,
  ): Promise<Page<AlertWithJira>> {
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (filter.statuses?.length) where.push(`a.status = ANY(${p(filter.statuses)}::text[])`);
    if (filter.severities?.length) where.push(`a.severity = ANY(${p(filter.severities)}::text[])`);
    if (filter.issueCode) where.push(`a.issue_code = ${p(filter.issueCode)}`);
    if (filter.service) {
      const s = p(filter.service);
      where.push(`(a.metadata->>'service' = ${s} OR a.group_labels->>'service' = ${s})`);
    }
    if (filter.q) {
      const like = `ILIKE ${p(`%${escapeLike(filter.q)}%`)} ESCAPE '\\'`;
      where.push(
        `(a.issue_code ${like} OR a.metadata->>'service' ${like} OR a.group_labels::text ${like})`,
      );
    }
    if (filter.since) where.push(`a.last_seen_at >= ${p(filter.since)}`);
    if (filter.until) where.push(`a.last_seen_at < ${p(filter.until)}`);
    const { column, keyOut, keyIn } = SORTS[sort.by];
    const direction = sort.order === 'asc' ? 'ASC' : 'DESC';
    if (page.after) {
      const after = `(${keyIn(p(page.after.key))}, ${p(page.after.id)}::uuid)`;
      where.push(`(${column}, a.id) ${sort.order === 'asc' ? '>' : '<'} ${after}`);
    }
    // The page first, then its Jira state: the lateral runs for the rows returned, not for
    // every row a filter matched before the sort.
    const rows = await this.dataSource.query<Row[]>(
      `SELECT p.*, jira.* FROM (
         SELECT a.*, ${keyOut} AS page_key FROM alerts a
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY ${column} ${direction}, a.id ${direction}
          LIMIT ${p(page.limit + 1)}
       ) p ${JIRA_SYNC('p')}
       ORDER BY ${column.replace(/^a\./, 'p.')} ${direction}, p.id ${direction}`,
      params,
    );
    const alerts = this.page(Alert, rows, page.limit, (row) => String(row.id));
    return { ...alerts, items: alerts.items.map((alert, i) => withJira(alert, rows[i])) };
  }

  async get(id: string): Promise<AlertWithJira> {
    const [row] = await this.dataSource.query<Row[]>(
      `SELECT a.*, jira.* FROM alerts a ${JIRA_SYNC('a')} WHERE a.id = $1`,
      [id],
    );
    if (!row) throw new AlertNotFoundError(id);
    return withJira(entityFromRow(this.dataSource, Alert, row), row);
  }

  /** An alert a change returned, with its Jira state (read after the change committed). */
  async withJiraSync(alert: Alert): Promise<AlertWithJira> {
    const [row] = await this.dataSource.query<Row[]>(
      `SELECT jira.* FROM (SELECT $1::uuid AS id) a ${JIRA_SYNC('a')}`,
      [alert.id],
    );
    return withJira(alert, row ?? {});
  }

  /** Newest first by event time. */
  async occurrences(alertId: string, page: PageRequest): Promise<Page<AlertOccurrence>> {
    await this.assertExists(alertId);
    const after = page.after
      ? `AND (o.event_time, o.event_id) < (${fromMicros('$3')}, $4::char(64))`
      : '';
    const rows = await this.dataSource.query<Row[]>(
      `SELECT o.*, ${micros('o.event_time')} AS page_key FROM alert_occurrences o
        WHERE o.alert_id = $1 ${after}
        ORDER BY o.event_time DESC, o.event_id DESC
        LIMIT $2`,
      [alertId, page.limit + 1, ...(page.after ? [page.after.key, page.after.id] : [])],
    );
    return this.page(AlertOccurrence, rows, page.limit, (row) => String(row.event_id));
  }

  /** Newest first. */
  async activity(alertId: string, page: PageRequest): Promise<Page<AlertActivity>> {
    await this.assertExists(alertId);
    const after = page.after ? `AND (act.at, act.id) < (${fromMicros('$3')}, $4::bigint)` : '';
    const rows = await this.dataSource.query<Row[]>(
      `SELECT act.*, ${micros('act.at')} AS page_key FROM alert_activity act
        WHERE act.alert_id = $1 ${after}
        ORDER BY act.at DESC, act.id DESC
        LIMIT $2`,
      [alertId, page.limit + 1, ...(page.after ? [page.after.key, page.after.id] : [])],
    );
    return this.page(AlertActivity, rows, page.limit, (row) => String(row.id));
  }

  async summary(): Promise<AlertSummary> {
    const counts = Object.fromEntries(
      Object.values(AlertStatus).map((status) => [
        status,
        Object.fromEntries(Object.values(AlertSeverity).map((severity) => [severity, 0])),
      ]),
    ) as AlertSummary['counts'];
    const groups = await this.dataSource.query<
      Array<{ status: AlertStatus; severity: AlertSeverity; count: string }>
    >(`SELECT status, severity, count(*) AS count FROM alerts GROUP BY status, severity`);
    for (const { status, severity, count } of groups) {
      if (counts[status]?.[severity] !== undefined) counts[status][severity] = Number(count);
    }
    // By event_time, not received_at: it is when the tills failed (what an operator asks about,
    // and what last_seen_at shows), and it is the partition key, so only the partitions holding
    // the last hour are read. A consumer catching up on a backlog therefore fills past minutes
    // instead of drawing a false spike now; the newest minutes can still grow while it does.
    const perMinute = await this.dataSource.query<Array<{ minute: Date; count: string }>>(`
      WITH bounds AS (
        SELECT date_trunc('minute', now()) - interval '59 minutes' AS first,
               date_trunc('minute', now()) + interval '1 minute' AS past_last
      ), counted AS (
        SELECT date_trunc('minute', o.event_time) AS minute, count(*) AS count
          FROM alert_occurrences o, bounds b
         WHERE o.event_time >= b.first AND o.event_time < b.past_last
         GROUP BY 1
      )
      SELECT m.minute, coalesce(c.count, 0) AS count
        FROM bounds b,
             generate_series(b.first, b.past_last - interval '1 minute', interval '1 minute') AS m(minute)
        LEFT JOIN counted c ON c.minute = m.minute
       ORDER BY m.minute`);
    return {
      counts,
      perMinute: perMinute.map(({ minute, count }) => ({ minute, count: Number(count) })),
    };
  }

  private async assertExists(id: string): Promise<void> {
    const rows = await this.dataSource.query<Row[]>(`SELECT 1 FROM alerts WHERE id = $1`, [id]);
    if (rows.length === 0) throw new AlertNotFoundError(id);
  }

  /** Rows were fetched with limit + 1: the extra one only says whether there is a next page. */
  private page<T extends ObjectLiteral>(
    entity: EntityTarget<T>,
    rows: Row[],
    limit: number,
    idOf: (row: Row) => string,
  ): Page<T> {
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map((row) => entityFromRow(this.dataSource, entity, row)),
      next: rows.length > limit && last ? { key: String(last.page_key), id: idOf(last) } : null,
    };
  }
}

type Row = Record<string, unknown>;

function withJira(alert: Alert, row: Row): AlertWithJira {
  const status = (row.jira_sync_status as JiraSyncStatus | null) ?? 'none';
  const error = (row.jira_sync_error as string | null) ?? null;
  return Object.assign(alert, { jiraSync: { status, error } });
}

/**
 * A raw row (column names as in the table) as an entity, through TypeORM's own column metadata
 * and type conversions: hand-written SQL for the query, the entity's property names for callers.
 */
export function entityFromRow<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  row: Row,
): T {
  const metadata = dataSource.getMetadata(entity);
  const instance = metadata.create() as T;
  for (const column of metadata.columns) {
    column.setEntityValue(
      instance,
      dataSource.driver.prepareHydratedValue(row[column.databaseName], column),
    );
  }
  return instance;
}
