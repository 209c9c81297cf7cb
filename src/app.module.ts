import { Module } from '@nestjs/common';
import { AlertsApiModule } from './api/alerts-api.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { JiraModule } from './jira/jira.module';
import { KafkaModule } from './kafka/kafka.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { UiModule } from './ui/ui.module';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    MetricsModule,
    DatabaseModule,
    KafkaModule,
    IngestModule,
    HealthModule,
    AlertsApiModule,
    JiraModule,
    UiModule,
  ],
})
export class AppModule {}
