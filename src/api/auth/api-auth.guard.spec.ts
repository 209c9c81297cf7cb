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
  sessionSecret: 'a-session-secret-of-32-characters!',
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

function contextFor(
  handler: 'read' | 'change',
  authorization?: string,
  extra: { method?: string; headers?: Record<string, string> } = {},
) {
  const request = {
    method: extra.method ?? 'GET',
    url: '/api/v1/alerts/x/acknowledge',
    headers: { ...(authorization ? { authorization } : {}), ...extra.headers },
  } as ApiRequest;
  const response = {
    setHeader: jest.fn(),
    end: jest.fn(),
    statusCode: 200,
    headersSent: false,
  };
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
      new ApiTokens({ rateLimitPerMinute: 1, tokens: [], sessionSecret: null }),
      new Reflector(),
    );
    const { context } = contextFor('read', 'Bearer operator-token-0123456789');
    expect(() => guard.canActivate(context)).toThrow(UnauthorizedException);
  });

  describe('with a console session cookie', () => {
    const tokens = new ApiTokens(config);
    const signIn = (token: string, now = Date.now()) => {
      const opened = tokens.openSession(token, now)!;
      return { cookie: `other=1; stacklens_session=${opened.cookie}`, session: opened.session };
    };

    it('lets the session read, as the token it was opened with', () => {
      const { cookie } = signIn('viewer-token-0123456789ab');
      const { context, request } = contextFor('read', undefined, { headers: { cookie } });
      expect(sut.canActivate(context)).toBe(true);
      expect(request.principal).toEqual({ name: 'dashboard', role: 'viewer' });
    });

    it('lets a change through only with the CSRF token of that session', () => {
      const { cookie, session } = signIn('operator-token-0123456789');
      const csrf = tokens.csrfToken(session);
      const ok = contextFor('change', undefined, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf },
      });
      expect(sut.canActivate(ok.context)).toBe(true);
      expect(ok.request.principal).toEqual({ name: 'ops-bot', role: 'operator' });

      const other = tokens.csrfToken(signIn('operator-token-0123456789').session);
      for (const headers of [{ cookie }, { cookie, 'x-csrf-token': other }] as Array<
        Record<string, string>
      >) {
        const refused = contextFor('change', undefined, { method: 'POST', headers });
        expect(() => sut.canActivate(refused.context)).toThrow(ForbiddenException);
        expect(refused.response.statusCode).toBe(403);
        const body = JSON.parse(refused.response.end.mock.calls[0][0] as string);
        expect(body).toMatchObject({ type: 'https://stacklens.dev/problems/csrf', status: 403 });
        expect(refused.request.principal).toBeUndefined();
      }
    });

    it('answers 403 to a viewer session changing state, CSRF token or not', () => {
      const { cookie, session } = signIn('viewer-token-0123456789ab');
      const { context, response } = contextFor('change', undefined, {
        method: 'PUT',
        headers: { cookie, 'x-csrf-token': tokens.csrfToken(session) },
      });
      expect(() => sut.canActivate(context)).toThrow(ForbiddenException);
      expect(response.end).not.toHaveBeenCalled();
    });

    it.each([
      ['an expired session', () => signIn('operator-token-0123456789', Date.now() - 9 * 3600_000)],
      [
        'an altered one',
        () => {
          const { cookie } = signIn('viewer-token-0123456789ab');
          const [payload, mac] = cookie.split('stacklens_session=')[1].split('.');
          const forged = Buffer.from(
            Buffer.from(payload, 'base64url').toString().replace('viewer', 'operator'),
          ).toString('base64url');
          return { cookie: `stacklens_session=${forged}.${mac}` };
        },
      ],
      [
        'one signed with another secret',
        () => {
          const other = new ApiTokens({
            ...config,
            sessionSecret: 'another-secret-of-32-characters-xx',
          });
          return {
            cookie: `stacklens_session=${other.openSession('operator-token-0123456789')!.cookie}`,
          };
        },
      ],
      [
        'one whose token was rotated',
        () => {
          const before = new ApiTokens({
            ...config,
            tokens: [{ name: 'ops-bot', role: 'operator', token: 'the-old-operator-token-0' }],
          });
          return {
            cookie: `stacklens_session=${before.openSession('the-old-operator-token-0')!.cookie}`,
          };
        },
      ],
    ])('answers 401 to %s', (_, make) => {
      const { context } = contextFor('read', undefined, { headers: { cookie: make().cookie } });
      expect(() => sut.canActivate(context)).toThrow(UnauthorizedException);
    });

    it('never lets a cookie rescue a refused bearer token', () => {
      const { cookie } = signIn('operator-token-0123456789');
      const { context } = contextFor('read', 'Bearer not-a-token-0123456789', {
        headers: { cookie },
      });
      expect(() => sut.canActivate(context)).toThrow(UnauthorizedException);
    });

    it('needs no CSRF token for a change made with a bearer token', () => {
      const { context } = contextFor('change', 'Bearer operator-token-0123456789', {
        method: 'POST',
      });
      expect(sut.canActivate(context)).toBe(true);
    });
  });
});
