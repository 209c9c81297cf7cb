import { Module } from '@nestjs/common';
import { AlertGroupsWriter } from './alert-groups.writer';
import { AlertsService } from './alerts.service';

@Module({
  providers: [AlertGroupsWriter, AlertsService],
  exports: [AlertsService],
})
export class AlertsModule {}
