import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertActivity } from '../alerts/alert-activity.entity';
import { AlertLifecycleService } from '../alerts/alert-lifecycle.service';
import { AlertOccurrence } from '../alerts/alert-occurrence.entity';
import { AlertQueries } from '../alerts/alert-queries.service';
import { Alert } from '../alerts/alert.entity';
import { JiraOutbox } from '../alerts/jira-outbox';
import { apiConfig, ApiConfig } from '../config/configuration';
import { AlertActionsController } from './alert-actions.controller';
import { AlertJiraController } from './alert-jira.controller';
import { AlertsController } from './alerts.controller';
import { ApiAuthGuard } from './auth/api-auth.guard';
import { ApiThrottlerGuard } from './auth/api-throttler.guard';
import { ApiTokens } from './auth/api-tokens';

/** /api/v1/alerts; setupHttpApi installs what it needs on the app (filter, pipe, OpenAPI). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Alert, AlertOccurrence, AlertActivity]),
    ThrottlerModule.forRootAsync({
      inject: [apiConfig.KEY],
      useFactory: (config: ApiConfig) => ({
        throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }],
        // One budget per client across all routes (the default keys it per route as well).
        generateKey: (_context, tracker) => tracker,
      }),
    }),
  ],
  controllers: [AlertsController, AlertActionsController, AlertJiraController],
  providers: [
    ApiTokens,
    ApiAuthGuard,
    ApiThrottlerGuard,
    AlertLifecycleService,
    AlertQueries,
    // Stateless: its own instance here, so the API needs nothing of the consume path's module.
    JiraOutbox,
  ],
  exports: [AlertLifecycleService],
})
export class AlertsApiModule {}
