import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { ApiConfig } from '../../config/configuration';
import type { ApiRequest } from './api-request';
import { ApiAuthGuard } from './api-auth.guard';
import { ApiTokens } from './api-tokens';
import { Roles } from './roles.decorator';

jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const config: ApiConfig = {
  rateLimitPerMinute: 300,
  tokens: [
    { name: 'ops-bot', role: 'operator', token: 'operator-token-0123456789' },
    { name: 'dashboard', role: 'viewer', token: 'viewer-token-0123456789ab' },
    { name: 'oncall', role: 'operator', token: 'another-operator-token-xyz' },
  ],
};

class Routes {
  read() {}
  @Roles('operator')
  change() {}
}

function contextFor(handler: 'read' | 'change', authorization?: string) {
  const request = { headers: authorization ? { authorization } : {} } as ApiRequest;
  const response = { setHeader: jest.fn() };
  const context = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
  } as unknown as ExecutionContext;
  return { context, request, response };
}

describe(ApiAuthGuard.name, () => {
  const sut = new ApiAuthGuard(new ApiTokens(config), new Reflector());

  beforeEach(() => jest.mocked(timingSafeEqual).mockClear());

  it('answers 401 and asks for a bearer token when there is none', () => {
    const { context, response } = contextFor('read');
    expect(() => sut.canActivate(context)).toThrow(UnauthorizedException);
    expect(response.setHeader).toHaveBeenCalledWith('WWW-Authenticate', 'Bearer realm="stacklens"');
  });

  it.each([
    ['an unknown token', 'Bearer operator-token-0123456780'],
    ['a prefix of a token', 'Bearer operator-token'],
    ['another scheme', 'Basic operator-token-0123456789'],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 to %s, saying it was refused', (_, authorization) => {
    const { context, response } = contextFor('read', authorization);
    expect(() => sut.canActivate(context)).toThrow(UnauthorizedException);
    expect(response.setHeader).toHaveBeenCalledWith(
      'WWW-Authenticate',
      'Bearer realm="stacklens", error="invalid_token"',
    );
  });

  it('never puts the presented token into the error', () => {
    const { context } = contextFor('read', 'Bearer secret-guess-123456789');
    expect(() => sut.canActivate(context)).toThrow(
      expect.not.objectContaining({ message: expect.stringContaining('secret-guess') }),
    );
  });

  it('lets a viewer read, and records who is calling', () => {
    const { context, request } = contextFor('read', 'Bearer viewer-token-0123456789ab');
    expect(sut.canActivate(context)).toBe(true);
    expect(request.principal).toEqual({ name: 'dashboard', role: 'viewer' });
  });

  it('answers 403 to a viewer on an operator route', () => {
    const { context } = contextFor('change', 'Bearer viewer-token-0123456789ab');
    expect(() => sut.canActivate(context)).toThrow(ForbiddenException);
  });

  it('lets an operator change, the scheme in any case', () => {
    const { context, request } = contextFor('change', 'bearer another-operator-token-xyz');
    expect(sut.canActivate(context)).toBe(true);
    expect(request.principal).toEqual({ name: 'oncall', role: 'operator' });
  });

  it('compares digests in constant time against every token, even after a match', () => {
    const compare = jest.mocked(timingSafeEqual);
    const { context } = contextFor('read', 'Bearer operator-token-0123456789');
    sut.canActivate(context);
    expect(compare).toHaveBeenCalledTimes(config.tokens.length);
    for (const [a, b] of compare.mock.calls) {
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });

  it('refuses everything when no token is configured', () => {
    const guard = new ApiAuthGuard(
      new ApiTokens({ rateLimitPerMinute: 1, tokens: [] }),
      new Reflector(),
    );
    const { context } = contextFor('read', 'Bearer operator-token-0123456789');
    expect(() => guard.canActivate(context)).toThrow(UnauthorizedException);
  });
});
