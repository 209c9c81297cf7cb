/**
 * The Jira operations the service is expected to call, per flavour. The stubs (mappings/), the
 * contracts (contracts/) and the journal helpers all key on this table, so a request to anything
 * else shows up as an unknown operation instead of passing silently.
 */
export type JiraFlavour = 'cloud' | 'datacenter';

/** Cloud speaks REST v3 with basic auth (email + API token); Data Center v2 with a personal access token. */
export const FLAVOURS: Record<JiraFlavour, { api: string; auth: string }> = {
  cloud: { api: '/rest/api/3', auth: 'Basic .+' },
  datacenter: { api: '/rest/api/2', auth: 'Bearer .+' },
};

export const JSON_CONTENT_TYPE = 'application/json(;.*)?';

export type OperationName =
  'createIssue' | 'search' | 'editLabels' | 'getTransitions' | 'transition' | 'addComment';

interface Operation {
  method: 'GET' | 'POST' | 'PUT';
  /** Regular expression for the path after the API prefix. */
  path: Record<JiraFlavour, string>;
  /** Contract file name without `.schema.json`; operations without one take no body. */
  schema?: Record<JiraFlavour, string>;
}

const ISSUE = '/issue/[^/]+';
const same = <T>(value: T): Record<JiraFlavour, T> => ({ cloud: value, datacenter: value });

export const OPERATIONS: Record<OperationName, Operation> = {
  createIssue: {
    method: 'POST',
    path: same('/issue'),
    schema: { cloud: 'create-issue.cloud', datacenter: 'create-issue.datacenter' },
  },
  // Cloud retired GET /rest/api/3/search for the enhanced (token-paginated) search.
  search: { method: 'GET', path: { cloud: '/search/jql', datacenter: '/search' } },
  editLabels: { method: 'PUT', path: same(ISSUE), schema: same('edit-labels') },
  getTransitions: { method: 'GET', path: same(`${ISSUE}/transitions`) },
  transition: { method: 'POST', path: same(`${ISSUE}/transitions`), schema: same('transition') },
  addComment: {
    method: 'POST',
    path: same(`${ISSUE}/comment`),
    schema: { cloud: 'comment.cloud', datacenter: 'comment.datacenter' },
  },
};

/** A request as WireMock's journal recorded it. */
export interface JiraRequest {
  method: string;
  /** Path and query string. */
  url: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
  /** What the double answered (undefined for a fault such as a connection reset). */
  status: number | undefined;
}

/** WireMock `urlPathPattern` (matched against the whole path) for an operation. */
export function operationPath(name: OperationName, flavour: JiraFlavour): string {
  return `${FLAVOURS[flavour].api}${OPERATIONS[name].path[flavour]}`;
}

export function matchOperation(
  method: string,
  path: string,
): { name: OperationName; flavour: JiraFlavour; schema?: string } | undefined {
  for (const flavour of Object.keys(FLAVOURS) as JiraFlavour[]) {
    for (const name of Object.keys(OPERATIONS) as OperationName[]) {
      const operation = OPERATIONS[name];
      if (operation.method !== method) continue;
      if (new RegExp(`^${operationPath(name, flavour)}$`).test(path))
        return { name, flavour, schema: operation.schema?.[flavour] };
    }
  }
  return undefined;
}
