import { Reflector } from '@nestjs/core';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { ApiThrottlerGuard } from './api-throttler.guard';
import { ApiTokens } from './api-tokens';

const tokens = new ApiTokens({
  rateLimitPerMinute: 300,
  sessionSecret: 'a-session-secret-of-32-characters!',
  tokens: [{ name: 'alice', role: 'operator', token: 'operator-token-0123456789' }],
});

/** Exposes the tracker, the key each request's budget is counted under. */
class Guard extends ApiThrottlerGuard {
  tracker(headers: Record<string, string>): Promise<string> {
    return this.getTracker({ headers, ip: '10.0.0.9' });
  }
}

describe(ApiThrottlerGuard.name, () => {
  const sut = new Guard({ throttlers: [] }, new ThrottlerStorageService(), new Reflector(), tokens);

  it('counts a bearer token and a console session opened with it as one client', async () => {
    const cookie = `stacklens_session=${tokens.openSession('operator-token-0123456789')!.cookie}`;
    await expect(sut.tracker({ authorization: 'Bearer operator-token-0123456789' })).resolves.toBe(
      'token:alice',
    );
    await expect(sut.tracker({ cookie })).resolves.toBe('token:alice');
  });

  it('counts requests without a valid credential by client address', async () => {
    await expect(sut.tracker({ cookie: 'stacklens_session=forged.value' })).resolves.toBe(
      'ip:10.0.0.9',
    );
    await expect(sut.tracker({})).resolves.toBe('ip:10.0.0.9');
  });
});
