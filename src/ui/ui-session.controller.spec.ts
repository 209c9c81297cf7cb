import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiTokens } from '../api/auth/api-tokens';
import { UiSessionController } from './ui-session.controller';

const tokens = new ApiTokens({
  rateLimitPerMinute: 300,
  sessionSecret: 'a-session-secret-of-32-characters!',
  tokens: [{ name: 'alice', role: 'operator', token: 'operator-token-0123456789' }],
});

function exchange(headers: Record<string, string> = {}, secure = false) {
  const request = { headers, secure, url: '/ui/session' } as unknown as IncomingMessage;
  const response = {
    setHeader: jest.fn(),
    end: jest.fn(),
    statusCode: 200,
    headersSent: false,
  };
  return { request, response, res: response as unknown as ServerResponse };
}

describe(UiSessionController.name, () => {
  const sut = new UiSessionController(tokens);

  function signIn(secure = false) {
    const { request, response, res } = exchange({}, secure);
    const body = sut.signIn({ token: 'operator-token-0123456789' }, request, res);
    const setCookie = response.setHeader.mock.calls[0][1] as string;
    return { body, setCookie, cookie: setCookie.split(';')[0] };
  }

  it('exchanges a token for a session cookie and the CSRF token', () => {
    const { body, setCookie } = signIn();
    expect(body).toEqual({
      name: 'alice',
      role: 'operator',
      csrf_token: expect.stringMatching(/^[\w-]{43}$/),
      expires_at: expect.any(String),
    });
    expect(setCookie).toMatch(
      /^stacklens_session=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    );
    expect(setCookie).not.toContain('operator-token');
  });

  it('marks the cookie Secure over https, directly or behind a proxy that says so', () => {
    expect(signIn(true).setCookie).toMatch(/; Secure$/);
    const { request, response, res } = exchange({ 'x-forwarded-proto': 'https' });
    sut.signIn({ token: 'operator-token-0123456789' }, request, res);
    expect(response.setHeader.mock.calls[0][1]).toMatch(/; Secure$/);
  });

  it('answers 401 to an unknown token, and sets no cookie', () => {
    const { request, response, res } = exchange();
    expect(() => sut.signIn({ token: 'operator-token-012345678X' }, request, res)).toThrow(
      UnauthorizedException,
    );
    expect(response.setHeader).not.toHaveBeenCalled();
  });

  it('says who is signed in, with the same CSRF token, and 401 without a session', () => {
    const { body, cookie } = signIn();
    expect(sut.whoAmI(exchange({ cookie }).request)).toEqual(body);
    expect(() => sut.whoAmI(exchange().request)).toThrow(UnauthorizedException);
  });

  it('signs out with the CSRF token by clearing the cookie, and refuses without it', () => {
    const { body, cookie } = signIn();
    const refused = exchange({ cookie });
    expect(() => sut.signOut(refused.request, refused.res)).toThrow(ForbiddenException);
    expect(refused.response.statusCode).toBe(403);

    const ok = exchange({ cookie, 'x-csrf-token': body.csrf_token });
    sut.signOut(ok.request, ok.res);
    expect(ok.response.setHeader).toHaveBeenCalledWith(
      'Set-Cookie',
      'stacklens_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0',
    );
  });
});
