import {
  ArgumentsHost,
  ForbiddenException,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ThrottlerException } from '@nestjs/throttler';
import {
  AlertNotFoundError,
  FingerprintAlreadyOpenError,
  IllegalTransitionError,
  StaleVersionError,
} from '../../alerts/alert-lifecycle.errors';
import { ActivityAction, AlertStatus } from '../../events/alert.enums';
import { PROBLEM_CONTENT_TYPE, ProblemDetailsFilter } from './problem-details.filter';
import { RequestValidationException } from './request-validation.exception';

const ID = '0b6f5a4e-9a43-4b7e-9d8e-2f0c3c1d7e11';

/** Records what the filter sends through the adapter. */
function fakeAdapter() {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = {
    headers: {},
  };
  const httpAdapter = {
    getRequestUrl: (req: { url: string }) => req.url,
    getRequestMethod: () => 'POST',
    isHeadersSent: () => false,
    setHeader: (_res: unknown, name: string, value: string) => (sent.headers[name] = value),
    reply: (_res: unknown, body: unknown, status: number) => Object.assign(sent, { body, status }),
  };
  return { adapterHost: { httpAdapter } as unknown as HttpAdapterHost, sent };
}

function httpHost(url = `/api/v1/alerts/${ID}/resolve?x=1`): ArgumentsHost {
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ url }), getResponse: () => ({}) }),
  } as unknown as ArgumentsHost;
}

describe(ProblemDetailsFilter.name, () => {
  function render(exception: unknown, url?: string) {
    const { adapterHost, sent } = fakeAdapter();
    new ProblemDetailsFilter(adapterHost).catch(exception, httpHost(url));
    return sent;
  }
  const problem = (sent: { body?: unknown }) => JSON.parse(sent.body as string);

  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('sends application/problem+json with the request path (no query) as instance', () => {
    const sent = render(new AlertNotFoundError(ID));
    expect(sent.headers['Content-Type']).toBe(PROBLEM_CONTENT_TYPE);
    expect(sent.status).toBe(404);
    expect(problem(sent)).toEqual({
      type: 'https://stacklens.dev/problems/alert-not-found',
      title: 'Alert not found',
      status: 404,
      detail: expect.stringContaining(ID),
      instance: `/api/v1/alerts/${ID}/resolve`,
    });
  });

  it.each([
    [new StaleVersionError(ID, 2, 3), 412, 'stale-version', { current_version: 3 }],
    [
      new IllegalTransitionError(ID, ActivityAction.ACKNOWLEDGED, AlertStatus.RESOLVED),
      409,
      'illegal-transition',
      { current_status: 'resolved' },
    ],
    [
      new FingerprintAlreadyOpenError(ID, 'other-id'),
      409,
      'fingerprint-already-open',
      { open_alert_id: 'other-id' },
    ],
    [
      new RequestValidationException([{ field: 'key', message: 'key must be a Jira issue key' }]),
      400,
      'validation',
      { errors: [{ field: 'key', message: 'key must be a Jira issue key' }] },
    ],
    [new ForbiddenException('needs operator'), 403, 'forbidden', { detail: 'needs operator' }],
    [new NotFoundException('Cannot GET /nope'), 404, 'not-found', {}],
    [new ThrottlerException(), 429, 'rate-limited', {}],
  ])('maps %p to %d %s', (exception, status, type, extra) => {
    const sent = render(exception);
    expect(sent.status).toBe(status);
    expect(problem(sent)).toMatchObject({
      type: `https://stacklens.dev/problems/${type}`,
      status,
      ...extra,
    });
  });

  it('answers an unexpected error with a generic 500, no stack or message, and logs it', () => {
    const error = new Error('connect ECONNREFUSED 10.0.0.7:5432');
    const sent = render(error);
    expect(sent.status).toBe(500);
    const text = sent.body as string;
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('at ');
    expect(problem(sent)).toMatchObject({
      type: 'https://stacklens.dev/problems/internal',
      status: 500,
    });
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      expect.objectContaining({ path: `/api/v1/alerts/${ID}/resolve`, error: error.message }),
      error.stack,
    );
  });

  it('hides the message of a 5xx HttpException too', () => {
    const sent = render(new ServiceUnavailableException('pool exhausted on db-3'));
    expect(sent.status).toBe(500);
    expect(sent.body).not.toContain('db-3');
  });

  it('shows the status and safe message of an exposed http-errors error (body-parser 413)', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
    });
    const sent = render(tooLarge);
    expect(sent.status).toBe(413);
    expect(problem(sent)).toMatchObject({
      type: 'https://stacklens.dev/problems/payload-too-large',
    });
  });

  it("leaves a probe's own error body alone (terminus' 503 readiness report)", () => {
    const report = { status: 'error', info: {}, error: { kafka: { status: 'down' } }, details: {} };
    const sent = render(new ServiceUnavailableException(report), '/readiness');
    expect(sent).toEqual({ status: 503, body: report, headers: {} });
  });

  it('rethrows in a Kafka (rpc) context, so the transport sees the error as it was thrown', () => {
    const { adapterHost } = fakeAdapter();
    const rpcHost = { getType: () => 'rpc' } as unknown as ArgumentsHost;
    const error = new Error('database down');
    expect(() => new ProblemDetailsFilter(adapterHost).catch(error, rpcHost)).toThrow(error);
  });
});
