import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { RulesModule } from '../rules/rules.module';
import { DeadLetterService } from './dead-letter.service';
import { IngestController } from './ingest.controller';
import { ParseLogEventPipe } from './parse-log-event.pipe';

@Module({
  imports: [RulesModule, AlertsModule],
  controllers: [IngestController],
  providers: [ParseLogEventPipe, DeadLetterService],
})
export class IngestModule {}
