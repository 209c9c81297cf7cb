import { Inject, Injectable } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { jiraConfig, JiraConfig } from '../config/configuration';
import {
  JIRA_OUTBOX_FAILED,
  JIRA_OUTBOX_OLDEST_SECONDS,
  JIRA_OUTBOX_PENDING,
  JIRA_REQUESTS,
} from '../metrics/metric-names';

const FRESH_MS = 1_000;

/**
 * The outbox backlog, read from the database when Prometheus scrapes (one query for both gauges).
 * A failed read keeps the last values: a scrape must not fail because Postgres is slow.
 */
@Injectable()
export class JiraOutboxStats {
  private last = { pending: 0, oldestSeconds: 0 };
  private read: { at: number; value: Promise<{ pending: number; oldestSeconds: number }> } | null =
    null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(jiraConfig.KEY) private readonly config: JiraConfig,
  ) {}

  snapshot(): Promise<{ pending: number; oldestSeconds: number }> {
    if (!this.config.enabled) return Promise.resolve(this.last);
    if (!this.read || Date.now() - this.read.at > FRESH_MS) {
      this.read = { at: Date.now(), value: this.query() };
    }
    return this.read.value;
  }

  private async query() {
    try {
      const [row] = await this.dataSource.query<Array<{ pending: number; oldest: number | null }>>(
        `SELECT count(*)::int AS pending,
                extract(epoch FROM now() - min(created_at))::float8 AS oldest
           FROM jira_outbox WHERE status = 'pending'`,
      );
      this.last = { pending: row?.pending ?? 0, oldestSeconds: row?.oldest ?? 0 };
    } catch {
      // keep the last values
    }
    return this.last;
  }
}

export const jiraMetrics = [
  makeCounterProvider({
    name: JIRA_REQUESTS,
    help: 'Requests to Jira by operation and HTTP status (network, timeout when none arrived)',
    labelNames: ['operation', 'status'],
  }),
  makeCounterProvider({
    name: JIRA_OUTBOX_FAILED,
    help: 'Jira outbox rows parked as failed (Jira refused them: 400, 401, 403, 404); retry through the API once fixed',
    labelNames: ['action'],
  }),
  makeGaugeProvider({
    name: JIRA_OUTBOX_PENDING,
    help: 'Jira outbox rows not delivered yet',
    inject: [JiraOutboxStats],
    async collect(this: Gauge<string>, stats: JiraOutboxStats) {
      this.set((await stats.snapshot()).pending);
    },
  }),
  makeGaugeProvider({
    name: JIRA_OUTBOX_OLDEST_SECONDS,
    help: 'Age of the oldest Jira outbox row not delivered yet (0 when none); grows while Jira is down or refuses',
    inject: [JiraOutboxStats],
    async collect(this: Gauge<string>, stats: JiraOutboxStats) {
      this.set((await stats.snapshot()).oldestSeconds);
    },
  }),
];
