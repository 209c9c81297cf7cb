import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { errorMessage } from '../common/error-message';
import { PeriodicJob } from '../common/periodic-job';
import { jiraConfig, JiraConfig } from '../config/configuration';
import { PRUNE_BATCH, PRUNE_SQL } from './jira-outbox.sql';

const EVERY_MS = 60 * 60_000;

/**
 * Deletes delivered Jira outbox rows older than JIRA_OUTBOX_RETENTION, hourly in every instance
 * (SKIP LOCKED: instances share the work), so a ticket's comments do not pile up for ever. Runs
 * with Jira off as well: rows of an earlier configuration age out too.
 */
@Injectable()
export class JiraOutboxPruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JiraOutboxPruner.name);
  private readonly job = new PeriodicJob(
    async () => {
      const deleted = await this.prune();
      if (deleted > 0) this.logger.log({ msg: 'old Jira outbox rows deleted', deleted });
    },
    (err: unknown) =>
      this.logger.error({
        msg: 'pruning the Jira outbox failed; the next hour tries again',
        error: errorMessage(err),
      }),
  );

  constructor(
    private readonly dataSource: DataSource,
    @Inject(jiraConfig.KEY) private readonly config: JiraConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start(EVERY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** Deletes what has aged out, a batch per statement; how many rows. */
  async prune(): Promise<number> {
    let total = 0;
    for (;;) {
      // DELETE without RETURNING: TypeORM's query() gives [rows, affected count].
      const [, deleted] = await this.dataSource.query<[unknown[], number]>(PRUNE_SQL, [
        this.config.outboxRetentionMs,
      ]);
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }
}
