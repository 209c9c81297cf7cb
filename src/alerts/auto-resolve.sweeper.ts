import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PeriodicJob } from '../common/periodic-job';
import { alertsConfig, AlertsConfig } from '../config/configuration';
import { ActivityAction, AlertStatus, ResolutionReason, SYSTEM_ACTOR } from '../events/alert.enums';
import { JiraOutbox } from './jira-outbox';

const BATCH = 1_000;
const MAX_INTERVAL_MS = 30_000;

/**
 * Resolution, its activity row and its Jira `resolve` (`jiraCte`) in one statement. SKIP LOCKED
 * hands each alert to exactly one sweeper; a row another transaction changed meanwhile is
 * re-checked against the WHERE under its lock (READ COMMITTED), so an alert that just got an
 * event, or was just resolved, is left alone.
 */
const sweepSql = (jiraCte: string) => `
  WITH due AS (
    SELECT id, status FROM alerts
     WHERE status <> '${AlertStatus.RESOLVED}'
       AND last_received_at < now() - $1::bigint * interval '1 millisecond'
     ORDER BY last_received_at
     LIMIT ${BATCH}
     FOR UPDATE SKIP LOCKED
  ), resolved AS (
    UPDATE alerts a
       SET status = '${AlertStatus.RESOLVED}', resolution_reason = '${ResolutionReason.QUIET}',
           resolved_by = '${SYSTEM_ACTOR}', resolved_at = now(), version = a.version + 1
      FROM due
     WHERE a.id = due.id
    RETURNING a.id, a.version, a.jira_issue_key, due.status AS from_status
  ), activity AS (
    INSERT INTO alert_activity (alert_id, from_status, to_status, action, actor, reason)
    SELECT id, from_status, '${AlertStatus.RESOLVED}', '${ActivityAction.RESOLVED}',
           '${SYSTEM_ACTOR}', '${ResolutionReason.QUIET}'
      FROM resolved
    RETURNING 1
  )${jiraCte}
  SELECT count(*)::int AS resolved FROM activity`;

/**
 * Resolves alerts that have received no event for ALERT_AUTO_RESOLVE_AFTER (reason 'quiet'),
 * checking four times per period (at most every 30 s). Safe on any number of instances.
 */
@Injectable()
export class AutoResolveSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AutoResolveSweeper.name);
  private readonly sql: string;
  private readonly job = new PeriodicJob(
    async () => {
      const resolved = await this.sweep();
      if (resolved > 0) {
        this.logger.log({
          msg: 'quiet alerts resolved',
          resolved,
          quiet_ms: this.config.autoResolveAfterMs,
        });
      }
    },
    (err: unknown) => this.logger.error({ msg: 'auto-resolve sweep failed', err }),
  );

  constructor(
    private readonly dataSource: DataSource,
    @Inject(alertsConfig.KEY) private readonly config: AlertsConfig,
    @Optional() jira?: JiraOutbox,
  ) {
    const cause = { reason: ResolutionReason.QUIET, actor: SYSTEM_ACTOR };
    this.sql = sweepSql(jira?.resolvedRowsCte('resolved', cause) ?? '');
  }

  onApplicationBootstrap(): void {
    const quietMs = this.config.autoResolveAfterMs;
    if (quietMs === 0) return;
    const everyMs = Math.min(MAX_INTERVAL_MS, quietMs / 4);
    this.job.start(everyMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** Resolves every alert quiet for longer than the period; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const [{ resolved }] = await this.dataSource.query<Array<{ resolved: number }>>(this.sql, [
        this.config.autoResolveAfterMs,
      ]);
      total += resolved;
      // Short of a full batch: done, or the rest is locked by another sweeper that has it.
      if (resolved < BATCH) return total;
    }
  }
}
