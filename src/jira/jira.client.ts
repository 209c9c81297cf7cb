import { Inject, Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { jiraConfig, JiraConfig, JiraCredentials } from '../config/configuration';
import { JIRA_REQUESTS } from '../metrics/metric-names';
import { classify, JiraResult } from './jira-response';
import type { JiraText } from './jira-ticket';

export type { JiraFailure, JiraResult } from './jira-response';

export type JiraOperation = 'search' | 'create' | 'transitions' | 'transition' | 'comment';

export interface IssueFields {
  project: { key: string };
  issuetype: { name: string };
  summary: string;
  description: JiraText;
  labels: string[];
}

export interface JiraStatusRef {
  id?: string;
  name?: string;
  statusCategory?: { key?: string };
}

export interface JiraTransition {
  id: string;
  name: string;
  to?: JiraStatusRef;
}

function authorizationOf(credentials: JiraCredentials | null): string {
  if (!credentials) return '';
  if (credentials.kind === 'bearer') return `Bearer ${credentials.token}`;
  const basic = Buffer.from(`${credentials.email}:${credentials.apiToken}`, 'utf8');
  return `Basic ${basic.toString('base64')}`;
}

/**
 * Jira's REST API, Cloud (v3) or Data Center (v2), each call bounded by JIRA_TIMEOUT_MS. Never
 * throws for an HTTP or network failure: it answers a JiraResult. Credentials go into the
 * Authorization header and nowhere else; nothing here logs.
 */
@Injectable()
export class JiraClient {
  private readonly api: string;
  private readonly authorization: string;

  constructor(
    @Inject(jiraConfig.KEY) private readonly config: JiraConfig,
    @InjectMetric(JIRA_REQUESTS) private readonly requests: Pick<Counter<string>, 'inc'>,
  ) {
    this.api = `${config.baseUrl}/rest/api/${config.api === 'cloud' ? 3 : 2}`;
    this.authorization = authorizationOf(config.credentials);
  }

  /** The key of the first issue the JQL finds, or null. */
  async findIssue(jql: string, signal?: AbortSignal): Promise<JiraResult<string | null>> {
    const path = this.config.api === 'cloud' ? '/search/jql' : '/search';
    const query = new URLSearchParams({ jql, fields: 'key', maxResults: '1' });
    const result = await this.request<{ issues?: Array<{ key?: unknown }> }>(
      'search',
      'GET',
      `${path}?${query.toString()}`,
      undefined,
      signal,
    );
    if (result.kind !== 'ok') return result;
    const key = result.body?.issues?.[0]?.key;
    return { ...result, body: typeof key === 'string' ? key : null };
  }

  /** The new issue's key. */
  async createIssue(fields: IssueFields, signal?: AbortSignal): Promise<JiraResult<string>> {
    const result = await this.request<{ key?: unknown }>(
      'create',
      'POST',
      '/issue',
      { fields },
      signal,
    );
    if (result.kind !== 'ok') return result;
    const key = result.body?.key;
    if (typeof key === 'string' && key !== '') return { ...result, body: key };
    return {
      kind: 'permanent',
      status: result.status,
      message: `HTTP ${result.status}: Jira created an issue but answered without its key`,
    };
  }

  async transitions(key: string, signal?: AbortSignal): Promise<JiraResult<JiraTransition[]>> {
    const result = await this.request<{ transitions?: unknown }>(
      'transitions',
      'GET',
      `/issue/${encodeURIComponent(key)}/transitions`,
      undefined,
      signal,
    );
    if (result.kind !== 'ok') return result;
    const list = Array.isArray(result.body?.transitions) ? result.body.transitions : [];
    const transitions = (list as Array<Partial<JiraTransition>>)
      .filter((t) => t.id !== undefined && typeof t.name === 'string')
      .map((t) => ({ id: String(t.id), name: t.name!, to: t.to }));
    return { ...result, body: transitions };
  }

  transition(key: string, id: string, signal?: AbortSignal): Promise<JiraResult<unknown>> {
    return this.request(
      'transition',
      'POST',
      `/issue/${encodeURIComponent(key)}/transitions`,
      // Jira takes the id as a string.
      { transition: { id: String(id) } },
      signal,
    );
  }

  comment(key: string, body: JiraText, signal?: AbortSignal): Promise<JiraResult<unknown>> {
    return this.request(
      'comment',
      'POST',
      `/issue/${encodeURIComponent(key)}/comment`,
      { body },
      signal,
    );
  }

  private async request<T>(
    operation: JiraOperation,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<JiraResult<T>> {
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: this.authorization,
      'User-Agent': 'stacklens-consumer',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let result: JiraResult<T>;
    try {
      const response = await fetch(`${this.api}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect means a wrong base URL (a login page, http -> https): say so, never follow.
        redirect: 'manual',
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      result = classify<T>(response.status, response.headers, await response.text());
    } catch (err) {
      result = {
        kind: 'transient',
        status: null,
        message: networkMessage(err, timeout.aborted, signal, this.config.timeoutMs),
        retryAfterMs: null,
      };
    }
    this.requests.inc({ operation, status: statusLabel(result) });
    return result;
  }
}

function statusLabel(result: JiraResult<unknown>): string {
  if (result.kind === 'transient' && result.status === null) {
    return result.message.startsWith('no answer') ? 'timeout' : 'network';
  }
  return String(result.status);
}

function networkMessage(
  err: unknown,
  timedOut: boolean,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): string {
  if (timedOut) return `no answer within ${timeoutMs} ms`;
  if (signal?.aborted) return 'request abandoned';
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = [cause?.code, cause?.message, (err as Error).message].find(
    (d): d is string => typeof d === 'string' && d !== '',
  );
  return `network error: ${detail ?? 'unknown'}`;
}
