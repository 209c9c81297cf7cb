import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ApiThrottlerGuard } from '../api/auth/api-throttler.guard';
import { ApiTokens } from '../api/auth/api-tokens';
import { UiAssets } from './ui-assets';
import { UiPagesController } from './ui-pages.controller';
import { uiSecurityHeaders } from './ui-security-headers';
import { UiSessionController } from './ui-session.controller';

/**
 * The triage console at /ui: its page and assets, and the sign-in that turns an API token into
 * a session cookie. The page itself only calls the public alerts API (/api/v1).
 */
@Module({
  controllers: [UiSessionController, UiPagesController],
  providers: [ApiTokens, ApiThrottlerGuard, UiAssets],
})
export class UiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(uiSecurityHeaders)
      .forRoutes(
        { path: 'ui', method: RequestMethod.ALL },
        { path: 'ui/*path', method: RequestMethod.ALL },
      );
  }
}
