import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ApiRequest } from './api-request';

/** The calling token's name, recorded as the actor of a change; set by ApiAuthGuard. */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const principal = ctx.switchToHttp().getRequest<ApiRequest>().principal;
  if (!principal) throw new Error('@Actor() used on a route without ApiAuthGuard');
  return principal.name;
});
