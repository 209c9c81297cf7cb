import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { BREAKER_OPEN, JiraBreaker } from './jira-breaker';
import type { JiraResult } from './jira.client';

const transient: JiraResult<never> = {
  kind: 'transient',
  status: 503,
  message: 'HTTP 503',
  retryAfterMs: null,
};
const ok: JiraResult<string> = { kind: 'ok', status: 200, body: 'fine' };

describe(JiraBreaker.name, () => {
  let sut: JiraBreaker;
  afterEach(() => {
    sut.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('passes results through, transient ones included, until failures pile up', async () => {
    sut = new JiraBreaker({ minCalls: 3 });
    await expect(sut.call(() => Promise.resolve(ok))).resolves.toBe(ok);
    await expect(sut.call(() => Promise.resolve(transient))).resolves.toBe(transient);
    expect(sut.isOpen).toBe(false);
  });

  it('opens after enough failures, stops calling, logs once, and closes once Jira answers', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    sut = new JiraBreaker({ minCalls: 2, resetMs: 50 });
    for (let i = 0; i < 2; i++) await sut.call(() => Promise.resolve(transient));
    expect(sut.isOpen).toBe(true);

    const work = jest.fn(() => Promise.resolve(ok));
    await expect(sut.call(work)).resolves.toBe(BREAKER_OPEN);
    expect(work).not.toHaveBeenCalled();

    await sleep(80); // half-open: one trial call, which fails and opens it again, silently
    await sut.call(() => Promise.resolve(transient));
    expect(sut.isOpen).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);

    await sleep(80);
    await expect(sut.call(work)).resolves.toBe(ok);
    expect(sut.isOpen).toBe(false);
    expect(log).toHaveBeenCalledWith({ msg: 'Jira answers again; circuit closed' });
  });

  it('does not count a permanent answer as a failure: Jira answered', async () => {
    sut = new JiraBreaker({ minCalls: 2 });
    const refused: JiraResult<never> = { kind: 'permanent', status: 400, message: 'HTTP 400' };
    for (let i = 0; i < 5; i++) await sut.call(() => Promise.resolve(refused));
    expect(sut.isOpen).toBe(false);
  });
});
