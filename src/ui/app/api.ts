import type { Activity, Alert, Occurrence, Page, Session, Summary } from './types';

/** An RFC 9457 problem, as every error of the API is; `type` ends with a stable slug. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [member: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }

  get status(): number {
    return this.problem.status;
  }

  /** The problem type's slug: stale-version, illegal-transition, csrf, ... */
  get kind(): string {
    return this.problem.type.split('/').pop() ?? '';
  }
}

export const toApiError = (err: unknown): ApiError =>
  err instanceof ApiError
    ? err
    : new ApiError({ type: 'client', title: 'Error', status: 0, detail: String(err) });

/** The session's CSRF token; kept in memory only, sent with every change. */
let csrfToken = '';
let signedOut: () => void = () => undefined;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when the API answers 401: the session expired or the token was removed. */
export function onSignedOut(handler: () => void): void {
  signedOut = handler;
}

interface CallOptions {
  body?: unknown;
  /** The alert version the change was decided on, sent as If-Match. */
  version?: number;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value;
}

/** One request to the service, as curl would send it, plus the session cookie the browser adds. */
async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.version !== undefined) headers['If-Match'] = `"${options.version}"`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError({
      type: 'network',
      title: 'No answer',
      status: 0,
      detail: 'The service did not answer; check the connection.',
    });
  }
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const problem: Problem = isProblem(body)
      ? body
      : {
          type: 'about:blank',
          title: response.statusText || 'Error',
          status: response.status,
          detail: text.slice(0, 300),
        };
    if (response.status === 401 && !path.startsWith('/ui/session')) signedOut();
    throw new ApiError(problem);
  }
  return body as T;
}

const alertPath = (id: string) => `/api/v1/alerts/${encodeURIComponent(id)}`;

export type LifecycleAction = 'acknowledge' | 'resolve' | 'reopen';

/** Everything the console does, each a public endpoint (see README, Alerts API). */
export const api = {
  session: () => call<Session>('GET', '/ui/session'),
  signIn: (token: string) => call<Session>('POST', '/ui/session', { body: { token } }),
  signOut: () => call<void>('DELETE', '/ui/session'),

  alerts: (query: URLSearchParams) => call<Page<Alert>>('GET', `/api/v1/alerts?${query}`),
  summary: () => call<Summary>('GET', '/api/v1/alerts/summary'),
  alert: (id: string) => call<Alert>('GET', alertPath(id)),
  occurrences: (id: string, limit: number) =>
    call<Page<Occurrence>>('GET', `${alertPath(id)}/occurrences?limit=${limit}`),
  activity: (id: string, limit: number) =>
    call<Page<Activity>>('GET', `${alertPath(id)}/activity?limit=${limit}`),

  act: (id: string, action: LifecycleAction, version: number, note?: string) =>
    call<Alert>('POST', `${alertPath(id)}/${action}`, { body: note ? { note } : {}, version }),
  linkJira: (id: string, key: string, version: number) =>
    call<Alert>('PUT', `${alertPath(id)}/jira`, { body: { key }, version }),
  unlinkJira: (id: string, version: number) =>
    call<Alert>('DELETE', `${alertPath(id)}/jira`, { version }),
  createJira: (id: string) => call<unknown>('POST', `${alertPath(id)}/jira/create`, { body: {} }),
  retryJira: (id: string) => call<unknown>('POST', `${alertPath(id)}/jira/retry`, { body: {} }),
};
