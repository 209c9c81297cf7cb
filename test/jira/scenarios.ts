import {
  FLAVOURS,
  JiraFlavour,
  JSON_CONTENT_TYPE,
  OperationName,
  OPERATIONS,
  operationPath,
} from './operations';

/** A WireMock stub mapping, as POST /__admin/mappings takes it. */
export interface StubMapping {
  id?: string;
  name?: string;
  /** Lower wins; the defaults in test/jira/mappings use 10, so these helpers' 1 overrides them. */
  priority?: number;
  scenarioName?: string;
  requiredScenarioState?: string;
  newScenarioState?: string;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

/** Scenario names, for `setScenarioState`. WireMock starts every scenario in `Started`. */
export const JIRA_SCENARIOS = {
  rateLimited: 'jira-rate-limited-once',
  createdBeforeCrash: 'jira-created-before-crash',
} as const;

export interface ExistingIssue {
  key: string;
  id: string;
  summary: string;
  labels: string[];
}

const OVERRIDE = 1;
const JSON_HEADERS = { 'Content-Type': 'application/json;charset=UTF-8' };

/** The same request pattern as the default stubs: the flavour's auth scheme, JSON on writes. */
function requestFor(name: OperationName, flavour: JiraFlavour): Record<string, unknown> {
  const { method } = OPERATIONS[name];
  const headers: Record<string, unknown> = { Authorization: { matches: FLAVOURS[flavour].auth } };
  if (method !== 'GET') headers['Content-Type'] = { matches: JSON_CONTENT_TYPE };
  return { method, urlPathPattern: operationPath(name, flavour), headers };
}

function forBoth(build: (flavour: JiraFlavour) => StubMapping): StubMapping[] {
  return (Object.keys(FLAVOURS) as JiraFlavour[]).map(build);
}

/** Every /rest/ call answers 503, or fails at the socket with a WireMock fault. */
export function jiraDown(
  fault?: 'CONNECTION_RESET_BY_PEER' | 'EMPTY_RESPONSE' | 'RANDOM_DATA_THEN_CLOSE',
): StubMapping[] {
  const response = fault
    ? { fault }
    : {
        status: 503,
        headers: JSON_HEADERS,
        jsonBody: { errorMessages: ['Service Unavailable'], errors: {} },
      };
  return [
    {
      name: 'Jira down',
      priority: OVERRIDE,
      request: { method: 'ANY', urlPathPattern: '/rest/.*' },
      response,
    },
  ];
}

/** The first create (either flavour) answers 429 with Retry-After; later ones reach the default stub. */
export function rateLimitedOnce(retryAfterSeconds = 2): StubMapping[] {
  return forBoth((flavour) => ({
    name: `${flavour}: create issue rate limited once`,
    priority: OVERRIDE,
    scenarioName: JIRA_SCENARIOS.rateLimited,
    requiredScenarioState: 'Started',
    newScenarioState: 'Throttled',
    request: requestFor('createIssue', flavour),
    response: {
      status: 429,
      headers: { ...JSON_HEADERS, 'Retry-After': String(retryAfterSeconds) },
      jsonBody: { errorMessages: ['Rate limit exceeded.'], errors: {} },
    },
  }));
}

/**
 * Jira creates the issue but answers only after `delayMs` ("we crashed before storing the key").
 * WireMock moves a scenario on when it matches the request, not when it answers, so the search
 * finds the issue from the moment the create arrives. A second create reaches the default stub
 * and gets a new key, as a retry against real Jira would: a duplicate.
 */
export function createAnswersAfter(
  delayMs: number,
  issue: Partial<ExistingIssue> = {},
): StubMapping[] {
  const created: ExistingIssue = {
    key: 'OPS-4242',
    id: '14242',
    summary: 'StackLens alert',
    labels: ['stacklens'],
    ...issue,
  };
  const scenario = { scenarioName: JIRA_SCENARIOS.createdBeforeCrash, priority: OVERRIDE };
  const self = (flavour: JiraFlavour) =>
    `{{request.baseUrl}}${FLAVOURS[flavour].api}/issue/${created.id}`;
  const found = (flavour: JiraFlavour) => ({
    id: created.id,
    key: created.key,
    self: self(flavour),
    fields: {
      summary: created.summary,
      labels: created.labels,
      status: { name: 'To Do', statusCategory: { key: 'new', name: 'To Do' } },
    },
  });
  const creates = forBoth((flavour) => ({
    ...scenario,
    name: `${flavour}: create issue, answered after ${delayMs} ms`,
    requiredScenarioState: 'Started',
    newScenarioState: 'Created',
    request: requestFor('createIssue', flavour),
    response: {
      status: 201,
      headers: JSON_HEADERS,
      jsonBody: { id: created.id, key: created.key, self: self(flavour) },
      fixedDelayMilliseconds: delayMs,
      transformers: ['response-template'],
    },
  }));
  const searches = forBoth((flavour) => ({
    ...scenario,
    name: `${flavour}: search finds ${created.key}`,
    requiredScenarioState: 'Created',
    request: requestFor('search', flavour),
    response: {
      status: 200,
      headers: JSON_HEADERS,
      jsonBody:
        flavour === 'cloud'
          ? { issues: [found(flavour)], isLast: true }
          : { startAt: 0, maxResults: 50, total: 1, issues: [found(flavour)] },
      transformers: ['response-template'],
    },
  }));
  return [...creates, ...searches];
}

/** Create answers 400 the way Jira does when the project key does not exist. */
export function projectNotFound(): StubMapping[] {
  return forBoth((flavour) => ({
    name: `${flavour}: create issue, project not found`,
    priority: OVERRIDE,
    request: requestFor('createIssue', flavour),
    response: {
      status: 400,
      headers: JSON_HEADERS,
      jsonBody: { errorMessages: [], errors: { project: 'valid project is required' } },
    },
  }));
}

/** The workflow offers Done but no way back to an open status. */
export function noReopenTransition(): StubMapping[] {
  return forBoth((flavour) => ({
    name: `${flavour}: transitions without Reopen`,
    priority: OVERRIDE,
    request: requestFor('getTransitions', flavour),
    response: {
      status: 200,
      headers: JSON_HEADERS,
      bodyFileName: 'transitions-without-reopen.json',
    },
  }));
}
