import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf } from '../alerts/jira-outbox';
import { errorMessage } from '../common/error-message';
import { PeriodicJob } from '../common/periodic-job';
import { jiraConfig, JiraConfig } from '../config/configuration';

const EVERY_MS = 60_000;

/**
 * One `comment` per unresolved, linked alert whose count grew since the count its last create or
 * comment reported, once that is JIRA_UPDATE_INTERVAL old. The dedupe key names the interval, so
 * instances running this at once queue one row, and a storm costs one comment per interval.
 */
export const QUEUE_COMMENTS_SQL = `
  INSERT INTO jira_outbox (alert_id, action, dedupe_key, payload)
  SELECT a.id, 'comment',
         'comment:' || a.id || ':' || floor(extract(epoch FROM now()) * 1000 / $1::bigint)::bigint,
         jsonb_build_object('occurrences', a.occurrences::text)
    FROM alerts a
    LEFT JOIN LATERAL (
      SELECT o.payload, coalesce(o.done_at, o.created_at) AS at FROM jira_outbox o
       WHERE o.alert_id = a.id AND o.action IN ('create', 'comment')
       ORDER BY o.id DESC LIMIT 1
    ) last ON true
   WHERE a.jira_issue_key IS NOT NULL AND a.status <> 'resolved'
     AND a.occurrences > coalesce((last.payload->>'occurrences')::bigint, 0)
     AND (last.at IS NULL OR last.at < now() - $1::bigint * interval '1 millisecond')
   ORDER BY a.id
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING alert_id`;

/** Queues "still firing" comments every minute, in every instance. */
@Injectable()
export class JiraCommentScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JiraCommentScheduler.name);
  private readonly job = new PeriodicJob(
    async () => {
      const queued = await this.queue();
      if (queued > 0) this.logger.debug({ msg: 'Jira comments queued', queued });
    },
    (err: unknown) =>
      this.logger.error({
        msg: 'queuing Jira comments failed; next minute tries again',
        error: errorMessage(err),
      }),
  );

  constructor(
    private readonly dataSource: DataSource,
    @Inject(jiraConfig.KEY) private readonly config: JiraConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.enabled) return;
    this.job.start(EVERY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** Queues what is due; how many comments. */
  async queue(): Promise<number> {
    const rows = rowsOf<{ alert_id: string }>(
      await this.dataSource.query(QUEUE_COMMENTS_SQL, [this.config.updateIntervalMs]),
    );
    return rows.length;
  }
}
