import { Module } from '@nestjs/common';
import { AlertGroupsWriter } from './alert-groups.writer';
import { AlertsService } from './alerts.service';
import { AutoResolveSweeper } from './auto-resolve.sweeper';
import { OccurrencePartitions } from './occurrence-partitions.service';

@Module({
  providers: [AlertGroupsWriter, AlertsService, OccurrencePartitions, AutoResolveSweeper],
  exports: [AlertsService],
})
export class AlertsModule {}
