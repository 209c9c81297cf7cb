import { eventually } from './support/eventually';
import {
  assertContracts,
  commentBody,
  createAnswersAfter,
  createIssueBody,
  JIRA_SCENARIOS,
  JiraDouble,
  jiraDown,
  JiraFlavour,
  noReopenTransition,
  projectNotFound,
  rateLimitedOnce,
  startJiraDouble,
} from './support/jira-double';
import { JIRA_URL_ENV, jiraForRun } from './support/jira-global';

const FLAVOURS: JiraFlavour[] = ['cloud', 'datacenter'];
const API: Record<JiraFlavour, string> = { cloud: '/rest/api/3', datacenter: '/rest/api/2' };
const SEARCH: Record<JiraFlavour, string> = { cloud: '/search/jql', datacenter: '/search' };
const AUTH: Record<JiraFlavour, string> = {
  cloud: `Basic ${Buffer.from('bot@example.com:api-token').toString('base64')}`,
  datacenter: 'Bearer personal-access-token',
};
const JQL = encodeURIComponent('project = OPS AND labels = "stacklens-fp-3f9a1c"');

describe('Jira double', () => {
  let jira: JiraDouble;

  beforeAll(async () => {
    jira = await startJiraDouble();
  });
  afterAll(async () => {
    await jira?.stop();
  });
  beforeEach(async () => {
    await jira.reset();
  });

  const call = (
    flavour: JiraFlavour,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { Authorization: AUTH[flavour] },
  ) =>
    fetch(`${jira.url}${API[flavour]}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const search = async (flavour: JiraFlavour) => {
    const res = await call(flavour, 'GET', `${SEARCH[flavour]}?jql=${JQL}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { issues: Array<{ key: string; fields: { labels: string[] } }> };
  };

  it.each(FLAVOURS)('creates issues with a new key each time (%s)', async (flavour) => {
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(flavour, 'POST', '/issue', createIssueBody(flavour));
      expect(res.status).toBe(201);
      const created = (await res.json()) as { id: string; key: string };
      expect(created).toEqual({
        id: expect.stringMatching(/^\d+$/),
        key: `OPS-${created.id}`,
        self: `${jira.url}${API[flavour]}/issue/${created.id}`,
      });
      keys.push(created.key);
    }
    expect(new Set(keys).size).toBe(3);
    await expect(jira.createdIssues()).resolves.toBe(3);
  });

  it.each(FLAVOURS)(
    'finds nothing by default, and the issue as soon as a slow create was received (%s)',
    async (flavour) => {
      await expect(search(flavour)).resolves.toMatchObject({ issues: [] });
      const labels = ['stacklens', 'stacklens-fp-3f9a1c'];
      await jira.stubAll(createAnswersAfter(4_000, { key: 'OPS-777', id: '10777', labels }));

      let answered = false;
      const create = call(flavour, 'POST', '/issue', createIssueBody(flavour)).finally(() => {
        answered = true;
      });
      const found = await eventually(async () => {
        const result = await search(flavour);
        expect(result.issues).toHaveLength(1);
        return result;
      });
      expect(answered).toBe(false);
      expect(found.issues[0]).toMatchObject({ key: 'OPS-777', fields: { labels } });

      const res = await create;
      expect(res.status).toBe(201);
      await expect(res.json()).resolves.toMatchObject({ id: '10777', key: 'OPS-777' });
      // A retry after the "crash" is a second issue, as it would be against real Jira.
      const retry = await call(flavour, 'POST', '/issue', createIssueBody(flavour));
      await expect(retry.json()).resolves.not.toMatchObject({ key: 'OPS-777' });
    },
  );

  it('moves a scenario on request, without the request that would do it', async () => {
    await jira.stubAll(createAnswersAfter(0, { key: 'OPS-778' }));
    await jira.setScenarioState(JIRA_SCENARIOS.createdBeforeCrash, 'Created');
    await expect(search('datacenter')).resolves.toMatchObject({
      total: 1,
      issues: [{ key: 'OPS-778' }],
    });
  });

  it('answers 404 without the flavour’s auth scheme or without a JSON body', async () => {
    const body = createIssueBody('cloud');
    await expect(call('cloud', 'POST', '/issue', body, {})).resolves.toHaveProperty('status', 404);
    const bearer = { Authorization: AUTH.datacenter };
    await expect(call('cloud', 'POST', '/issue', body, bearer)).resolves.toHaveProperty(
      'status',
      404,
    );
    await expect(
      call('datacenter', 'GET', `${SEARCH.datacenter}?jql=${JQL}`, undefined, {}),
    ).resolves.toHaveProperty('status', 404);
    const asText = await fetch(`${jira.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: { Authorization: AUTH.cloud, 'Content-Type': 'text/plain' },
      body: JSON.stringify(body),
    });
    expect(asText.status).toBe(404);
  });

  it.each(FLAVOURS)(
    'edits labels, lists and performs transitions, adds comments (%s)',
    async (flavour) => {
      const labels = { update: { labels: [{ add: 'stacklens-resolved' }] } };
      await expect(call(flavour, 'PUT', '/issue/OPS-1', labels)).resolves.toHaveProperty(
        'status',
        204,
      );
      const transitions = await call(flavour, 'GET', '/issue/OPS-1/transitions');
      await expect(transitions.json()).resolves.toMatchObject({
        transitions: [
          { id: '31', name: 'Done', to: { statusCategory: { key: 'done' } } },
          { id: '41', name: 'Reopen', to: { statusCategory: { key: 'new' } } },
        ],
      });
      const done = { transition: { id: '31' } };
      await expect(call(flavour, 'POST', '/issue/OPS-1/transitions', done)).resolves.toHaveProperty(
        'status',
        204,
      );
      const comment = await call(flavour, 'POST', '/issue/OPS-1/comment', commentBody(flavour));
      expect(comment.status).toBe(201);
      await expect(comment.json()).resolves.toMatchObject({
        id: expect.stringMatching(/^\d+$/),
        body: commentBody(flavour).body,
      });

      const requests = await jira.requests();
      expect(requests.map((r) => r.status)).toEqual([204, 200, 204, 201]);
      expect(requests[0].headers.Authorization).toBe(AUTH[flavour]);
      expect(() => assertContracts(requests)).not.toThrow();
      await expect(
        jira.requests({ method: 'post', urlPathPattern: '/rest/api/[23]/issue/[^/]+/comment' }),
      ).resolves.toHaveLength(1);
    },
  );

  it('offers no Reopen transition on request', async () => {
    await jira.stubAll(noReopenTransition());
    const res = await call('cloud', 'GET', '/issue/OPS-1/transitions');
    const { transitions } = (await res.json()) as { transitions: Array<{ name: string }> };
    expect(transitions.map((t) => t.name)).toEqual(['Done']);
  });

  describe('contracts', () => {
    it('accepts what the service should send', async () => {
      for (const flavour of FLAVOURS) {
        await call(flavour, 'POST', '/issue', createIssueBody(flavour));
        await call(flavour, 'GET', `${SEARCH[flavour]}?jql=${JQL}`);
        await call(flavour, 'PUT', '/issue/OPS-1', { fields: { labels: ['stacklens'] } });
      }
      expect(() => assertContracts([])).not.toThrow();
      const requests = await jira.requests();
      expect(requests).toHaveLength(6);
      expect(() => assertContracts(requests)).not.toThrow();
    });

    it('rejects a create without a project, naming the request and the field', async () => {
      await call('cloud', 'POST', '/issue', createIssueBody('cloud'));
      const { project: _, ...withoutProject } = createIssueBody('cloud').fields;
      const res = await call('cloud', 'POST', '/issue', { fields: withoutProject });
      expect(res.status).toBe(404);
      const requests = await jira.requests();
      expect(() => assertContracts(requests)).toThrow(
        /#2 POST \/rest\/api\/3\/issue \(createIssue, cloud\).*must have required property 'project'/,
      );
    });

    it('rejects rich text in the other flavour’s format, bad labels and unknown operations', () => {
      const request = (method: string, url: string, body?: unknown) => ({
        method,
        url,
        path: url.split('?')[0],
        headers: {},
        body,
        status: 201,
      });
      const plainToCloud = createIssueBody('cloud', { description: 'plain text' });
      expect(() => assertContracts([request('POST', '/rest/api/3/issue', plainToCloud)])).toThrow(
        /description must be object/,
      );
      const adfToDataCenter = commentBody('cloud');
      expect(() =>
        assertContracts([request('POST', '/rest/api/2/issue/OPS-1/comment', adfToDataCenter)]),
      ).toThrow(/body\/body must be string/);
      const spaced = createIssueBody('datacenter', { labels: ['stacklens', 'price missing'] });
      expect(() => assertContracts([request('POST', '/rest/api/2/issue', spaced)])).toThrow(
        /labels\/1 must match pattern/,
      );
      const unlabelled = createIssueBody('datacenter', { labels: ['other'] });
      expect(() => assertContracts([request('POST', '/rest/api/2/issue', unlabelled)])).toThrow(
        /must contain at least 1 valid item/,
      );
      const numericId = { transition: { id: 31 } };
      expect(() =>
        assertContracts([request('POST', '/rest/api/3/issue/OPS-1/transitions', numericId)]),
      ).toThrow(/transition\/id must be string/);
      expect(() => assertContracts([request('DELETE', '/rest/api/3/issue/OPS-1')])).toThrow(
        /not an operation the Jira double knows/,
      );
      expect(() => assertContracts([request('GET', '/rest/api/3/search?jql=x')])).toThrow(
        /not an operation/,
      );
    });
  });

  it('answers 429 with Retry-After to the first create, then creates', async () => {
    await jira.stubAll(rateLimitedOnce(2));
    const body = createIssueBody('cloud');
    const throttled = await call('cloud', 'POST', '/issue', body);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    await expect(call('cloud', 'POST', '/issue', body)).resolves.toHaveProperty('status', 201);
    await expect(jira.createdIssues()).resolves.toBe(1);
  });

  it('rejects an unknown project the way Jira does', async () => {
    await jira.stubAll(projectNotFound());
    const res = await call('datacenter', 'POST', '/issue', createIssueBody('datacenter'));
    expect(res.status).toBe(400);
    await expect(res.json()).resolves.toEqual({
      errorMessages: [],
      errors: { project: 'valid project is required' },
    });
  });

  it('goes down with 503 or a reset connection, and back up on reset', async () => {
    const [id] = await jira.stubAll(jiraDown());
    await expect(call('cloud', 'GET', '/issue/OPS-1/transitions')).resolves.toHaveProperty(
      'status',
      503,
    );
    await jira.removeStub(id);
    await jira.stubAll(jiraDown('CONNECTION_RESET_BY_PEER'));
    await expect(
      call('datacenter', 'POST', '/issue', createIssueBody('datacenter')),
    ).rejects.toThrow('fetch failed');
    const requests = await jira.requests();
    expect(requests.map((r) => r.status)).toEqual([503, undefined]);

    await jira.reset();
    await expect(jira.requests()).resolves.toEqual([]);
    await expect(call('cloud', 'GET', '/issue/OPS-1/transitions')).resolves.toHaveProperty(
      'status',
      200,
    );
  });
});

describe('the run’s Jira double', () => {
  it(`answers at ${JIRA_URL_ENV}, started by the global setup`, async () => {
    const res = await fetch(`${jiraForRun().url}/__admin/health`);
    await expect(res.json()).resolves.toMatchObject({ status: 'healthy' });
  });
});
