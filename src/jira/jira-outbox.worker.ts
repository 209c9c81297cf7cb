import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { OutboxStatus, rowsOf, RunSql } from '../alerts/jira-outbox';
import { errorMessage } from '../common/error-message';
import { PeriodicJob } from '../common/periodic-job';
import { jiraConfig, JiraConfig } from '../config/configuration';
import { redactSecrets } from '../config/redact';
import { JIRA_OUTBOX_FAILED } from '../metrics/metric-names';
import { JiraBreaker } from './jira-breaker';
import {
  ALERTS_SQL,
  CLAIM_BATCH,
  CLAIM_SQL,
  DONE_SQL,
  FAIL_SQL,
  LINK_SQL,
  RELEASE_SQL,
  RESCHEDULE_SQL,
} from './jira-outbox.sql';
import { JiraSync, OutboxRow, SyncAlert, SyncOutcome } from './jira-sync';

const POLL_MS = 1_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 300_000;

interface AlertRow {
  id: string;
  fingerprint: string;
  issue_code: string;
  severity: string;
  group_labels: Record<string, string>;
  service: string | null;
  suggested_fix: string;
  occurrences: string;
  first_seen_at: Date;
  last_seen_at: Date;
  raw_log: unknown;
  jira_issue_key: string | null;
  create_status: OutboxStatus | null;
}

/** Full jitter on 1 s doubling per attempt, capped at 5 min; Retry-After is the least wait. */
export function retryDelayMs(attempts: number, retryAfterMs: number | null, random = Math.random) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts - 1, 20));
  return Math.max(Math.round(random() * ceiling), retryAfterMs ?? 0);
}

/**
 * Delivers the Jira outbox: every second claims up to 10 due rows, performs them (in parallel,
 * each within twice JIRA_TIMEOUT_MS) and records each outcome. Runs in every instance.
 */
@Injectable()
export class JiraOutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JiraOutboxWorker.name);
  private readonly run: RunSql;
  private readonly stopping = new AbortController();
  private failing = false;
  /** drain() reports the database's failures itself; anything else is a bug, logged here. */
  private readonly job = new PeriodicJob(
    () => this.drain(),
    (err: unknown) =>
      this.logger.error({ msg: 'Jira outbox round failed', error: errorMessage(err) }),
  );

  constructor(
    dataSource: DataSource,
    @Inject(jiraConfig.KEY) private readonly config: JiraConfig,
    private readonly sync: JiraSync,
    private readonly breaker: JiraBreaker,
    @InjectMetric(JIRA_OUTBOX_FAILED) private readonly failed: Pick<Counter<string>, 'inc'>,
  ) {
    this.run = (sql, params) => dataSource.query(sql, params);
  }

  /** Long enough for a row's calls (twice the timeout), plus a margin for the database. */
  private get leaseMs(): number {
    return 2 * this.config.timeoutMs + 5_000;
  }

  onApplicationBootstrap(): void {
    if (!this.config.enabled) return;
    this.logger.log({
      msg: 'Jira integration on',
      base_url: redactSecrets(this.config.baseUrl),
      api: this.config.api,
      project: this.config.projectKey,
    });
    this.job.start(POLL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Calls in flight give up now; their rows are released, not counted as failed attempts.
    this.stopping.abort();
    await this.job.stop();
  }

  /** One claim and its rows; how many rows it claimed. */
  async round(): Promise<number> {
    if (this.breaker.isOpen || this.stopping.signal.aborted) return 0;
    const rows = rowsOf<OutboxRow>(await this.run(CLAIM_SQL, [this.leaseMs]));
    if (rows.length === 0) return 0;
    const alerts = await this.alerts(rows.map((r) => r.alert_id));
    const deadline = AbortSignal.any([
      AbortSignal.timeout(2 * this.config.timeoutMs),
      this.stopping.signal,
    ]);
    await Promise.all(rows.map((row) => this.deliver(row, alerts.get(row.alert_id), deadline)));
    return rows.length;
  }

  /** Rounds until the backlog is shorter than a batch; a database failure logs once. */
  private async drain(): Promise<void> {
    try {
      while ((await this.round()) === CLAIM_BATCH);
      if (this.failing) this.logger.log({ msg: 'Jira outbox works again' });
      this.failing = false;
    } catch (err) {
      if (!this.failing) {
        this.logger.error({
          msg: 'Jira outbox failing; retrying every second',
          error: errorMessage(err),
        });
      }
      this.failing = true;
    }
  }

  private async deliver(row: OutboxRow, alert: SyncAlert | undefined, signal: AbortSignal) {
    let outcome: SyncOutcome;
    try {
      // Only when the alert was deleted, which deletes its rows too: nothing left to do.
      outcome = alert ? await this.sync.perform(row, alert, signal) : { kind: 'done' };
    } catch (err) {
      this.logger.error({
        msg: 'Jira outbox row failed unexpectedly',
        row_id: row.id,
        error: errorMessage(err),
      });
      outcome = { kind: 'transient', message: errorMessage(err), retryAfterMs: null };
    }
    if (this.stopping.signal.aborted && outcome.kind === 'transient') outcome = { kind: 'open' };
    await this.record(row, outcome);
  }

  private async record(row: OutboxRow, outcome: SyncOutcome): Promise<void> {
    const context = { row_id: row.id, alert_id: row.alert_id, action: row.action };
    switch (outcome.kind) {
      case 'done': {
        const payload = outcome.payload ?? {};
        if (!outcome.link) {
          await this.run(DONE_SQL, [row.id, payload]);
          return;
        }
        const { key, how } = outcome.link;
        const [linked] = rowsOf<{ linked: number; current_key: string | null }>(
          await this.run(LINK_SQL, [row.alert_id, key, how, payload, row.id]),
        );
        if (linked?.linked === 0 && linked.current_key !== key) {
          this.logger.warn({
            msg: 'alert got another ticket meanwhile; this one is left unlinked',
            ...context,
            key,
            linked_key: linked.current_key,
          });
        } else {
          this.logger.log({
            msg: `Jira ticket ${how === 'found' ? 'found and linked' : 'created'}`,
            ...context,
            key,
          });
        }
        return;
      }
      case 'wait':
      case 'transient': {
        const retryAfter = outcome.kind === 'transient' ? outcome.retryAfterMs : null;
        const delay = retryDelayMs(row.attempts, retryAfter);
        await this.run(RESCHEDULE_SQL, [row.id, delay, outcome.message]);
        this.logger.debug({
          msg: 'Jira outbox row rescheduled',
          ...context,
          delay_ms: delay,
          error: outcome.message,
        });
        return;
      }
      case 'permanent':
        await this.run(FAIL_SQL, [row.id, outcome.message]);
        this.failed.inc({ action: row.action });
        this.logger.warn({
          msg: 'Jira refused an outbox row; parked as failed',
          ...context,
          error: outcome.message,
        });
        return;
      case 'open':
        await this.run(RELEASE_SQL, [row.id]);
        return;
    }
  }

  private async alerts(ids: string[]): Promise<Map<string, SyncAlert>> {
    const rows = rowsOf<AlertRow>(await this.run(ALERTS_SQL, [[...new Set(ids)]]));
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          fingerprint: r.fingerprint,
          issueCode: r.issue_code,
          severity: r.severity,
          groupLabels: r.group_labels,
          service: r.service,
          suggestedFix: r.suggested_fix,
          occurrences: r.occurrences,
          firstSeenAt: new Date(r.first_seen_at),
          lastSeenAt: new Date(r.last_seen_at),
          firstEvent: r.raw_log,
          jiraIssueKey: r.jira_issue_key,
          createStatus: r.create_status,
        },
      ]),
    );
  }
}
