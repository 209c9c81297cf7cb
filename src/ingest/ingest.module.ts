import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { KafkaModule } from '../kafka/kafka.module';
import { RulesModule } from '../rules/rules.module';
import { DeadLetterService } from './dead-letter.service';
import { DecodeBatchPipe } from './decode-batch.pipe';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { LogEventParser } from './log-event.parser';
import { UnknownFieldsTracker } from './unknown-fields.tracker';

@Module({
  imports: [RulesModule, AlertsModule, KafkaModule],
  controllers: [IngestController],
  providers: [
    LogEventParser,
    UnknownFieldsTracker,
    DecodeBatchPipe,
    DeadLetterService,
    IngestService,
  ],
})
export class IngestModule {}
