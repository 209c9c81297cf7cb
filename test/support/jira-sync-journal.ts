import { JiraRequest, matchOperation, OperationName } from '../jira/operations';
import { StubMapping } from '../jira/scenarios';

/**
 * The Jira double's journal as the sync specs read it: each request with the operation it calls,
 * when WireMock received it (`loggedDate`, ms) and what it answered. JiraAdmin.requests() drops
 * the timestamps, which the Retry-After and lease checks need.
 */
export interface Logged extends JiraRequest {
  operation: OperationName | undefined;
  loggedDate: number;
  /** The answer's body, parsed when JSON. */
  answer: unknown;
}

interface ServeEvent {
  request: { url: string; method: string; body?: string; loggedDate: number };
  response?: { status?: number; body?: string };
  responseDefinition?: { status?: number; fault?: string };
}

const json = (text: string | undefined): unknown => {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Every request the double at `url` received, oldest first. */
export async function journal(url: string): Promise<Logged[]> {
  const res = await fetch(`${url}/__admin/requests`);
  if (!res.ok) throw new Error(`WireMock journal: ${res.status}`);
  const { requests } = (await res.json()) as { requests: ServeEvent[] };
  return requests
    .map(({ request, response, responseDefinition }) => {
      const path = request.url.split('?')[0];
      return {
        method: request.method,
        url: request.url,
        path,
        headers: {},
        body: json(request.body),
        status: responseDefinition?.fault
          ? undefined
          : (response?.status ?? responseDefinition?.status),
        operation: matchOperation(request.method, path)?.name,
        loggedDate: request.loggedDate,
        answer: json(response?.body),
      };
    })
    .sort((a, b) => a.loggedDate - b.loggedDate);
}

type CreateBody = { fields: { summary: string; labels: string[]; project: { key: string } } };

/** Create requests whose summary names `service` (`... on <service> (...)`). */
export function createsOf(requests: readonly Logged[], service: string): Logged[] {
  return requests.filter(
    (r) =>
      r.operation === 'createIssue' &&
      (r.body as CreateBody | undefined)?.fields?.summary?.includes(` on ${service}`),
  );
}

export const summaryOf = (r: Logged): string => (r.body as CreateBody).fields.summary;
export const labelsOf = (r: Logged): string[] => (r.body as CreateBody).fields.labels;
export const createdKeyOf = (r: Logged): string | undefined =>
  (r.answer as { key?: string } | undefined)?.key;

/** Searches whose JQL names the fingerprint label `label`. */
export function searchesFor(requests: readonly Logged[], label: string): Logged[] {
  return requests.filter(
    (r) => r.operation === 'search' && decodeURIComponent(r.url).includes(`"${label}"`),
  );
}

/** Requests of one operation on the issue `key`. */
export function callsOn(
  requests: readonly Logged[],
  key: string,
  operation: 'getTransitions' | 'transition' | 'addComment',
): Logged[] {
  const path = new RegExp(`/issue/${key}/(transitions|comment)$`);
  return requests.filter((r) => r.operation === operation && path.test(r.path));
}

export const transitionIdOf = (r: Logged): string | undefined =>
  (r.body as { transition?: { id?: string } } | undefined)?.transition?.id;

/** The plain text of an ADF comment body. */
export function commentTextOf(r: Logged): string {
  const texts: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as { text?: unknown; content?: unknown };
    if (typeof n.text === 'string') texts.push(n.text);
    if (Array.isArray(n.content)) n.content.forEach(walk);
  };
  walk((r.body as { body?: unknown } | undefined)?.body);
  return texts.join('\n');
}

/**
 * Cloud create-issue answered like the default stub, but after `delayMs`: keeps a row in flight
 * long enough that a second worker's tick falls inside it.
 */
export function slowCreates(delayMs: number): StubMapping[] {
  return [
    {
      name: `cloud: create issue, answered after ${delayMs} ms`,
      priority: 1,
      request: {
        method: 'POST',
        urlPath: '/rest/api/3/issue',
        headers: {
          Authorization: { matches: 'Basic .+' },
          'Content-Type': { matches: 'application/json(;.*)?' },
        },
        bodyPatterns: [{ matchesJsonPath: '$.fields.project.key' }],
      },
      response: {
        status: 201,
        headers: { 'Content-Type': 'application/json;charset=UTF-8' },
        jsonBody: {
          id: "{{#assign 'n'}}{{randomInt lower=10000 upper=2147483647}}{{/assign}}{{n}}",
          key: "{{jsonPath request.body '$.fields.project.key'}}-{{n}}",
          self: '{{request.baseUrl}}/rest/api/3/issue/{{n}}',
        },
        fixedDelayMilliseconds: delayMs,
        transformers: ['response-template'],
      },
    },
  ];
}
