import { Module } from '@nestjs/common';
import { AlertLifecycleService } from '../alerts/alert-lifecycle.service';
import { JiraOutbox } from '../alerts/jira-outbox';
import { JiraBreaker } from './jira-breaker';
import { JiraClient } from './jira.client';
import { JiraCommentScheduler } from './jira-comment.scheduler';
import { jiraMetrics, JiraOutboxStats } from './jira.metrics';
import { JiraOutboxPruner } from './jira-outbox.pruner';
import { JiraOutboxWorker } from './jira-outbox.worker';
import { JiraStatuses } from './jira-statuses';
import { JiraSync } from './jira-sync';
import { JiraWebhookController } from './jira-webhook.controller';
import { JiraWebhookService } from './jira-webhook.service';

/**
 * Delivery of the Jira outbox (worker, comment scheduler) and the webhook. Everything is idle
 * while JIRA_BASE_URL is unset. The lifecycle service and the outbox are stateless: this module
 * has its own instances rather than importing the API's.
 */
@Module({
  controllers: [JiraWebhookController],
  providers: [
    JiraOutbox,
    AlertLifecycleService,
    JiraClient,
    { provide: JiraBreaker, useFactory: () => new JiraBreaker() },
    JiraStatuses,
    JiraSync,
    JiraOutboxWorker,
    JiraCommentScheduler,
    JiraOutboxPruner,
    JiraWebhookService,
    JiraOutboxStats,
    ...jiraMetrics,
  ],
  exports: [JiraOutboxWorker, JiraCommentScheduler, JiraWebhookService],
})
export class JiraModule {}
