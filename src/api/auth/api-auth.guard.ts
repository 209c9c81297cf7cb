import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import type { ApiRole } from '../../config/configuration';
import type { ApiRequest } from './api-request';
import { ApiTokens } from './api-tokens';
import { ROLES_KEY } from './roles.decorator';

/**
 * Bearer-token authentication (401) and the route's @Roles (403). The principal is left on the
 * request for @Actor(). Tokens are never logged or echoed, not even in part.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: ApiTokens,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<ApiRequest>();
    const authorization = request.headers.authorization;
    const principal = this.tokens.identify(authorization);
    if (!principal) {
      // RFC 6750: say which scheme to use, and whether the one sent was refused.
      http
        .getResponse<ServerResponse>()
        .setHeader(
          'WWW-Authenticate',
          authorization
            ? 'Bearer realm="stacklens", error="invalid_token"'
            : 'Bearer realm="stacklens"',
        );
      throw new UnauthorizedException(
        authorization ? 'The bearer token is not valid.' : 'A bearer token is required.',
      );
    }
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<ApiRole[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles && !roles.includes(principal.role)) {
      throw new ForbiddenException(`This needs a token with the ${roles.join(' or ')} role.`);
    }
    return true;
  }
}
