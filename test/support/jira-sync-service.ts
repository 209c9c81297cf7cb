import { createHmac, randomBytes } from 'node:crypto';
import { ServiceProcess, startService } from './service';

/**
 * A service process with the Jira integration on, and the two ways the specs talk to it besides
 * Kafka: the alerts API (as an operator) and Jira's webhook.
 */

/** Random per run, so a leak into the service's output cannot be a coincidence. */
export const JIRA_SECRETS = {
  email: 'stacklens-bot@example.com',
  apiToken: `jira-api-token-${randomBytes(12).toString('hex')}`,
  webhookSecret: `jira-webhook-secret-${randomBytes(12).toString('hex')}`,
  operatorToken: `op-${randomBytes(12).toString('hex')}`,
  viewerToken: `view-${randomBytes(12).toString('hex')}`,
} as const;

/** The operator whose name the activity history records for API changes. */
export const OPERATOR = 'alice';

/** Every value a line the service prints must never contain. */
export function secretValues(): string[] {
  const basic = Buffer.from(`${JIRA_SECRETS.email}:${JIRA_SECRETS.apiToken}`).toString('base64');
  return [
    JIRA_SECRETS.apiToken,
    JIRA_SECRETS.webhookSecret,
    JIRA_SECRETS.operatorToken,
    JIRA_SECRETS.viewerToken,
    basic,
  ];
}

/** The lines of `services` that contain a secret (empty when none leaked). */
export function leakedSecrets(services: readonly ServiceProcess[]): string[] {
  const secrets = secretValues();
  return services.flatMap((s) => s.lines.filter((line) => secrets.some((x) => line.includes(x))));
}

export interface KafkaTopics {
  topic: string;
  dlq: string;
  group: string;
}

/** Environment of a service on `topics` talking to the Jira double at `jiraUrl` (Cloud flavour). */
export function jiraServiceEnv(
  topics: KafkaTopics,
  jiraUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_TOPIC: topics.topic,
    KAFKA_DLQ_TOPIC: topics.dlq,
    KAFKA_GROUP_ID: topics.group,
    JIRA_BASE_URL: jiraUrl,
    JIRA_API: 'cloud',
    JIRA_EMAIL: JIRA_SECRETS.email,
    JIRA_API_TOKEN: JIRA_SECRETS.apiToken,
    JIRA_PROJECT_KEY: 'OPS',
    JIRA_WEBHOOK_SECRET: JIRA_SECRETS.webhookSecret,
    JIRA_TIMEOUT_MS: '2000',
    API_TOKENS: `${OPERATOR}:operator:${JIRA_SECRETS.operatorToken},victor:viewer:${JIRA_SECRETS.viewerToken}`,
    // The specs poll the API; the default 300 a minute would answer them 429.
    API_RATE_LIMIT_PER_MINUTE: '100000',
    ...extra,
  };
}

/** Starts a service with Jira on and waits until it consumes. */
export async function startJiraService(
  topics: KafkaTopics,
  jiraUrl: string,
  extra: Record<string, string> = {},
): Promise<ServiceProcess> {
  const service = await startService(jiraServiceEnv(topics, jiraUrl, extra));
  await service.waitReady();
  return service;
}

export interface ApiAnswer<T = any> {
  status: number;
  contentType: string;
  body: T;
}

/** The alerts API of one service, as the operator. */
export function operatorApi(service: ServiceProcess) {
  const call = async <T = any>(method: string, path: string, body?: unknown) => {
    const res = await fetch(service.url(path), {
      method,
      headers: {
        Authorization: `Bearer ${JIRA_SECRETS.operatorToken}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the failure message
    }
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      body: parsed as T,
    } satisfies ApiAnswer<T>;
  };
  return {
    alert: (id: string) => call(`GET`, `/api/v1/alerts/${id}`),
    resolve: (id: string) => call('POST', `/api/v1/alerts/${id}/resolve`, {}),
    reopen: (id: string) => call('POST', `/api/v1/alerts/${id}/reopen`, {}),
    createTicket: (id: string) => call('POST', `/api/v1/alerts/${id}/jira/create`),
    retry: (id: string) => call('POST', `/api/v1/alerts/${id}/jira/retry`),
    link: (id: string, key: string) => call('PUT', `/api/v1/alerts/${id}/jira`, { key }),
    unlink: (id: string) => call('DELETE', `/api/v1/alerts/${id}/jira`),
  };
}
export type OperatorApi = ReturnType<typeof operatorApi>;

/** A `jira:issue_updated` webhook body for a status change, in the shape Jira Cloud sends. */
export function statusChanged(
  key: string,
  from: { id: string; name: string },
  to: { id: string; name: string; category: 'new' | 'indeterminate' | 'done' },
) {
  return {
    timestamp: Date.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    issue: {
      id: '10001',
      key,
      fields: {
        status: {
          id: to.id,
          name: to.name,
          statusCategory: { key: to.category, name: to.name },
        },
      },
    },
    changelog: {
      id: '20001',
      items: [
        {
          field: 'status',
          fieldtype: 'jira',
          fieldId: 'status',
          from: from.id,
          fromString: from.name,
          to: to.id,
          toString: to.name,
        },
      ],
    },
  };
}

/** Statuses of the double's workflow (test/jira/__files/transitions.json) and one in between. */
export const STATUS = {
  toDo: { id: '10000', name: 'To Do', category: 'new' },
  inProgress: { id: '3', name: 'In Progress', category: 'indeterminate' },
  done: { id: '10002', name: 'Done', category: 'done' },
} as const;

export const signatureOf = (raw: string, secret: string = JIRA_SECRETS.webhookSecret) =>
  `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

/** POSTs a webhook to the service; `signature` null sends none, undefined signs it properly. */
export async function sendWebhook(
  service: ServiceProcess,
  body: unknown,
  signature?: string | null,
): Promise<ApiAnswer> {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const sig = signature === undefined ? signatureOf(raw) : signature;
  if (sig !== null) headers['X-Hub-Signature'] = sig;
  const res = await fetch(service.url('/webhooks/jira'), { method: 'POST', headers, body: raw });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed };
}
