import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertBatchWriter } from './alert-batch-writer';
import { Alert } from './alert.entity';
import { AlertsService } from './alerts.service';

@Module({
  imports: [TypeOrmModule.forFeature([Alert])],
  providers: [AlertBatchWriter, AlertsService],
  exports: [AlertsService],
})
export class AlertsModule {}
