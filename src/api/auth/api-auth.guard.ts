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
import { changesState, CSRF_HEADER, refuseWithoutCsrfToken } from './csrf';
import { ROLES_KEY } from './roles.decorator';

/**
 * Authentication (401) by bearer token or by the triage console's session cookie, and the
 * route's @Roles (403). A cookie is sent by the browser on its own, so a cookie-authenticated
 * change also needs the session's CSRF token in X-CSRF-Token (403 `csrf`); a bearer token is
 * never sent by a browser on its own and needs none. The principal is left on the request for
 * @Actor(). Tokens are never logged or echoed, not even in part.
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
    const response = http.getResponse<ServerResponse>();
    const authorization = request.headers.authorization;
    const credential = this.tokens.authenticate(request.headers);
    if (!credential) {
      // RFC 6750: say which scheme to use, and whether the one sent was refused.
      response.setHeader(
        'WWW-Authenticate',
        authorization
          ? 'Bearer realm="stacklens", error="invalid_token"'
          : 'Bearer realm="stacklens"',
      );
      throw new UnauthorizedException(
        authorization ? 'The bearer token is not valid.' : 'A bearer token is required.',
      );
    }
    if (
      credential.via === 'session' &&
      changesState(request.method) &&
      !this.tokens.csrfMatches(credential.session, request.headers[CSRF_HEADER])
    ) {
      refuseWithoutCsrfToken(request, response);
    }
    request.principal = credential.principal;
    const roles = this.reflector.getAllAndOverride<ApiRole[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles && !roles.includes(credential.principal.role)) {
      throw new ForbiddenException(`This needs a token with the ${roles.join(' or ')} role.`);
    }
    return true;
  }
}
