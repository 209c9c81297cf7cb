import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { IncomingMessage } from 'node:http';
import { ApiTokens } from './api-tokens';

/**
 * Rate limit per token (a console session counts as its token), or per client IP for requests
 * without a valid credential. It runs before ApiAuthGuard so that guessing tokens is limited too;
 * it identifies the caller itself for that.
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
    const credential = this.tokens.authenticate((request as IncomingMessage).headers);
    return credential
      ? `token:${credential.principal.name}`
      : `ip:${await super.getTracker(request)}`;
  }
}
