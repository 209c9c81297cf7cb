import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JiraConfig } from '../config/configuration';
import { JiraClient } from './jira.client';
import { classify, parseRetryAfter } from './jira-response';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A throwaway HTTP server on 127.0.0.1 that answers with `handler` and records requests. */
async function jiraStub(handler: Handler) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

function jiraConfig(overrides: Partial<JiraConfig> = {}): JiraConfig {
  return {
    enabled: true,
    baseUrl: 'http://127.0.0.1:1',
    api: 'cloud',
    credentials: { kind: 'basic', email: 'bot@example.com', apiToken: 'api-token-secret' },
    projectKey: 'OPS',
    issueType: 'Bug',
    createFor: [],
    minOccurrences: 1,
    resolveTransition: 'Done',
    reopenTransition: 'Reopen',
    updateIntervalMs: 3_600_000,
    alertUrlTemplate: null,
    webhookSecret: null,
    timeoutMs: 2_000,
    outboxRetentionMs: 30 * 86_400_000,
    ...overrides,
  };
}

describe(JiraClient.name, () => {
  const requests = { inc: jest.fn() };
  let stub: Awaited<ReturnType<typeof jiraStub>> | undefined;

  afterEach(async () => {
    await stub?.close();
    stub = undefined;
    requests.inc.mockClear();
  });

  async function sutAnswering(handler: Handler, overrides: Partial<JiraConfig> = {}) {
    stub = await jiraStub(handler);
    return new JiraClient(jiraConfig({ baseUrl: stub.url, ...overrides }), requests);
  }

  it('searches Cloud (v3 enhanced search) with basic auth and returns the first key', async () => {
    const sut = await sutAnswering(
      json(200, { issues: [{ id: '1', key: 'OPS-7' }], isLast: true }),
    );
    await expect(sut.findIssue('labels = "stacklens-x"')).resolves.toMatchObject({
      kind: 'ok',
      body: 'OPS-7',
    });
    const [req] = stub!.seen;
    expect(req.method).toBe('GET');
    expect(req.url).toMatch(/^\/rest\/api\/3\/search\/jql\?/);
    expect(new URL(req.url, stub!.url).searchParams.get('jql')).toBe('labels = "stacklens-x"');
    expect(req.headers.authorization).toBe(
      `Basic ${Buffer.from('bot@example.com:api-token-secret').toString('base64')}`,
    );
    expect(requests.inc).toHaveBeenCalledWith({ operation: 'search', status: '200' });
  });

  it('speaks v2 with a bearer token to Data Center', async () => {
    const sut = await sutAnswering(json(201, { id: '10', key: 'OPS-10' }), {
      api: 'datacenter',
      credentials: { kind: 'bearer', token: 'pat-secret' },
    });
    const fields = {
      project: { key: 'OPS' },
      issuetype: { name: 'Bug' },
      summary: 's',
      description: 'd',
      labels: ['stacklens'],
    };
    await expect(sut.createIssue(fields)).resolves.toMatchObject({ kind: 'ok', body: 'OPS-10' });
    const [req] = stub!.seen;
    expect([req.method, req.url]).toEqual(['POST', '/rest/api/2/issue']);
    expect(req.headers.authorization).toBe('Bearer pat-secret');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ fields });
  });

  it('sends the transition id as a string', async () => {
    const sut = await sutAnswering((_req, res) => res.writeHead(204).end());
    await expect(sut.transition('OPS-1', '31')).resolves.toMatchObject({ kind: 'ok' });
    expect(JSON.parse(stub!.seen[0].body)).toEqual({ transition: { id: '31' } });
  });

  it('parks 400 as permanent with errorMessages and errors joined', async () => {
    const sut = await sutAnswering(
      json(400, {
        errorMessages: ['Bad request'],
        errors: { project: 'valid project is required' },
      }),
    );
    await expect(sut.createIssue({} as never)).resolves.toEqual({
      kind: 'permanent',
      status: 400,
      message: 'HTTP 400: Bad request; project: valid project is required',
    });
  });

  it.each([401, 403, 404])('treats %i as permanent', async (status) => {
    const sut = await sutAnswering(json(status, { errorMessages: ['nope'], errors: {} }));
    await expect(sut.transitions('OPS-1')).resolves.toMatchObject({ kind: 'permanent', status });
  });

  it('treats 429 as transient and reads Retry-After in seconds', async () => {
    const sut = await sutAnswering(
      json(429, { errorMessages: ['Rate limit exceeded.'] }, { 'Retry-After': '7' }),
    );
    await expect(sut.findIssue('x')).resolves.toEqual({
      kind: 'transient',
      status: 429,
      message: 'HTTP 429: Rate limit exceeded.',
      retryAfterMs: 7_000,
    });
    expect(requests.inc).toHaveBeenCalledWith({ operation: 'search', status: '429' });
  });

  it('treats 5xx as transient', async () => {
    const sut = await sutAnswering(json(503, { errorMessages: ['Service Unavailable'] }));
    await expect(sut.comment('OPS-1', 'x')).resolves.toMatchObject({
      kind: 'transient',
      status: 503,
      retryAfterMs: null,
    });
  });

  it('gives up after JIRA_TIMEOUT_MS, as a transient failure', async () => {
    const sut = await sutAnswering(() => undefined, { timeoutMs: 100 });
    await expect(sut.findIssue('x')).resolves.toEqual({
      kind: 'transient',
      status: null,
      message: 'no answer within 100 ms',
      retryAfterMs: null,
    });
    expect(requests.inc).toHaveBeenCalledWith({ operation: 'search', status: 'timeout' });
  });

  it('treats a refused connection as transient', async () => {
    stub = await jiraStub(() => undefined);
    const url = stub.url;
    await stub.close();
    stub = undefined;
    const sut = new JiraClient(jiraConfig({ baseUrl: url }), requests);
    await expect(sut.findIssue('x')).resolves.toMatchObject({
      kind: 'transient',
      status: null,
      message: expect.stringMatching(/^network error: /),
    });
  });

  it('does not follow a redirect: a wrong base URL is permanent', async () => {
    const sut = await sutAnswering((_req, res) =>
      res.writeHead(302, { Location: 'https://id.example.com/login' }).end(),
    );
    await expect(sut.findIssue('x')).resolves.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('check JIRA_BASE_URL'),
    });
  });

  it('calls a create answered without a key a permanent failure', async () => {
    const sut = await sutAnswering(json(201, { id: '10' }));
    await expect(sut.createIssue({} as never)).resolves.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('without its key'),
    });
  });

  it('classifies other statuses: 409 transient, 405 permanent, an empty 204 ok', () => {
    expect(classify(409, new Headers(), '')).toMatchObject({ kind: 'transient' });
    expect(classify(405, new Headers(), '')).toMatchObject({
      kind: 'permanent',
      message: 'HTTP 405',
    });
    expect(classify(204, new Headers(), '')).toEqual({ kind: 'ok', status: 204, body: null });
  });
});

describe(parseRetryAfter.name, () => {
  const now = Date.parse('2025-11-18T19:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
  });

  it('reads an HTTP-date as the time left until it', () => {
    expect(parseRetryAfter('Tue, 18 Nov 2025 19:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 18 Nov 2025 18:00:00 GMT', now)).toBe(0);
  });

  it('caps absurd waits at an hour and ignores what it cannot read', () => {
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
