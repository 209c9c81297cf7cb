import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { ApiTokens } from './api-tokens';

/**
 * Rate limit per token, or per client IP for requests without a valid token. It runs before
 * ApiAuthGuard so that guessing tokens is limited too; it identifies the token itself for that.
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly tokens: ApiTokens,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(request: Record<string, any>): Promise<string> {
    const principal = this.tokens.identify(
      (request as { headers: Record<string, string> }).headers.authorization,
    );
    return principal ? `token:${principal.name}` : `ip:${await super.getTracker(request)}`;
  }
}
