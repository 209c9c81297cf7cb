import { Module } from '@nestjs/common';
import { AlertGroupsWriter } from './alert-groups.writer';
import { AlertsService } from './alerts.service';
import { AutoResolveSweeper } from './auto-resolve.sweeper';
import { JiraOutbox } from './jira-outbox';
import { OccurrencePartitions } from './occurrence-partitions.service';

@Module({
  providers: [
    AlertGroupsWriter,
    AlertsService,
    OccurrencePartitions,
    AutoResolveSweeper,
    JiraOutbox,
  ],
  exports: [AlertsService, JiraOutbox],
})
export class AlertsModule {}
