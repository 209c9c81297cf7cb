import { AlertSeverity } from '../events/alert.enums';
import { ApiToken, parseApiTokens } from './api-tokens';
import { parseDuration } from './duration';
import { Environment, knownVariables, validateEnvironment } from './environment';
import { parseSeverityList } from './validators';

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  groupId: string;
  topic: string;
  deadLetterTopic: string;
  maxMessageBytes: number;
  partitionsConcurrency: number;
  fetchAhead: boolean;
  ssl: { caFile: string | undefined; rejectUnauthorized: boolean } | null;
  sasl: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  } | null;
}

export interface DatabaseConfig {
  url: string;
  poolSize: number;
  retryMaxMs: number;
  queryTimeoutMs: number;
  runMigrations: boolean;
  readinessTimeoutMs: number;
  sslMode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  sslCaFile: string | undefined;
  rawLogMaxBytes: number;
}

export interface HttpConfig {
  host: string;
  port: number;
  logLevel: string;
}

export interface ProcessingConfig {
  stallTimeoutMs: number;
  maxAttempts: number;
}

export interface AlertsConfig {
  maxNewPerMinute: number;
  reopenWindowMs: number;
  /** 0: alerts are never resolved automatically. */
  autoResolveAfterMs: number;
  occurrenceRetentionDays: number;
}

export interface ApiConfig {
  /** Empty: the API answers 401 to everything. */
  tokens: ApiToken[];
  rateLimitPerMinute: number;
  /** Signs the console's session cookies; null: a random secret per process (UI_SESSION_SECRET). */
  sessionSecret: string | null;
}

/** Secrets: never logged, only ever turned into an Authorization header. */
export type JiraCredentials =
  { kind: 'basic'; email: string; apiToken: string } | { kind: 'bearer'; token: string };

export interface JiraConfig {
  /** False without JIRA_BASE_URL: nothing is queued or sent, and the webhook answers 401. */
  enabled: boolean;
  /** Without a trailing slash; empty when disabled. */
  baseUrl: string;
  api: 'cloud' | 'datacenter';
  /** Null when disabled. */
  credentials: JiraCredentials | null;
  projectKey: string;
  issueType: string;
  /** Severities whose alerts get a ticket by themselves; empty: only when an operator asks. */
  createFor: AlertSeverity[];
  minOccurrences: number;
  resolveTransition: string;
  reopenTransition: string;
  updateIntervalMs: number;
  /** Contains `{id}`. */
  alertUrlTemplate: string | null;
  webhookSecret: string | null;
  timeoutMs: number;
  /** Delivered rows older than this are deleted (JiraOutboxPruner). */
  outboxRetentionMs: number;
}

/** Every setting, validated and typed; shared by all readers, so treat it as read-only. */
export interface AppConfig {
  kafka: KafkaConfig;
  database: DatabaseConfig;
  http: HttpConfig;
  processing: ProcessingConfig;
  alerts: AlertsConfig;
  api: ApiConfig;
  jira: JiraConfig;
}

const DAY_MS = 86_400_000;

/**
 * The last environment validated, keyed by the values of the known variables rather than by the
 * object: Nest's ConfigModule validates a copy of process.env and the namespaces then read
 * process.env itself, and a test that changes process.env must see its change.
 */
let last: { key: string; config: AppConfig } | undefined;

/** Validates `raw` (process.env by default) unless the same values were validated last time. */
export function loadAppConfig(raw: Record<string, unknown> = process.env): AppConfig {
  const key = JSON.stringify(knownVariables().map((name) => raw[name] ?? ''));
  if (last?.key !== key) last = { key, config: toAppConfig(validateEnvironment(raw)) };
  return last.config;
}

function toAppConfig(env: Environment): AppConfig {
  return {
    kafka: {
      brokers: env.KAFKA_BROKERS.split(','),
      clientId: env.KAFKA_CLIENT_ID,
      groupId: env.KAFKA_GROUP_ID,
      topic: env.KAFKA_TOPIC,
      deadLetterTopic: env.KAFKA_DLQ_TOPIC,
      maxMessageBytes: env.KAFKA_MAX_MESSAGE_BYTES,
      partitionsConcurrency: env.KAFKA_PARTITIONS_CONCURRENCY,
      fetchAhead: env.KAFKA_FETCH_AHEAD,
      ssl: env.KAFKA_SSL
        ? { caFile: env.KAFKA_SSL_CA_FILE, rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED }
        : null,
      sasl: env.KAFKA_SASL_MECHANISM
        ? {
            mechanism: env.KAFKA_SASL_MECHANISM as NonNullable<KafkaConfig['sasl']>['mechanism'],
            username: env.KAFKA_SASL_USERNAME!,
            password: env.KAFKA_SASL_PASSWORD!,
          }
        : null,
    },
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      retryMaxMs: env.DATABASE_RETRY_MAX_MS,
      queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
      runMigrations: env.RUN_MIGRATIONS,
      readinessTimeoutMs: env.READINESS_DB_TIMEOUT_MS,
      sslMode: env.DATABASE_SSL_MODE as DatabaseConfig['sslMode'],
      sslCaFile: env.DATABASE_SSL_CA_FILE,
      rawLogMaxBytes: env.RAW_LOG_MAX_BYTES,
    },
    http: { host: env.HTTP_HOST, port: env.HTTP_PORT, logLevel: env.LOG_LEVEL },
    processing: {
      stallTimeoutMs: millis(env.PROCESSING_STALL_TIMEOUT),
      maxAttempts: env.PROCESSING_MAX_ATTEMPTS,
    },
    alerts: {
      maxNewPerMinute: env.ALERT_MAX_NEW_PER_MINUTE,
      reopenWindowMs: millis(env.ALERT_REOPEN_WINDOW),
      autoResolveAfterMs: millis(env.ALERT_AUTO_RESOLVE_AFTER),
      // Rounded up: keeping occurrences a few hours longer beats deleting them before asked.
      occurrenceRetentionDays: Math.ceil(millis(env.ALERT_OCCURRENCE_RETENTION) / DAY_MS),
    },
    api: {
      tokens: apiTokens(env.API_TOKENS),
      rateLimitPerMinute: env.API_RATE_LIMIT_PER_MINUTE,
      sessionSecret: env.UI_SESSION_SECRET ?? null,
    },
    jira: jiraConfigOf(env),
  };
}

function jiraConfigOf(env: Environment): JiraConfig {
  const enabled = env.JIRA_BASE_URL !== undefined;
  const api = env.JIRA_API as JiraConfig['api'];
  let credentials: JiraCredentials | null = null;
  if (enabled) {
    credentials =
      api === 'cloud'
        ? { kind: 'basic', email: env.JIRA_EMAIL!, apiToken: env.JIRA_API_TOKEN! }
        : { kind: 'bearer', token: env.JIRA_PAT! };
  }
  return {
    enabled,
    baseUrl: (env.JIRA_BASE_URL ?? '').replace(/\/+$/, ''),
    api,
    credentials,
    projectKey: env.JIRA_PROJECT_KEY ?? '',
    issueType: env.JIRA_ISSUE_TYPE,
    createFor: (parseSeverityList(env.JIRA_CREATE_FOR) ?? []) as AlertSeverity[],
    minOccurrences: env.JIRA_MIN_OCCURRENCES,
    resolveTransition: env.JIRA_RESOLVE_TRANSITION,
    reopenTransition: env.JIRA_REOPEN_TRANSITION,
    updateIntervalMs: millis(env.JIRA_UPDATE_INTERVAL),
    alertUrlTemplate: env.JIRA_ALERT_URL_TEMPLATE ?? null,
    webhookSecret: env.JIRA_WEBHOOK_SECRET ?? null,
    timeoutMs: env.JIRA_TIMEOUT_MS,
    outboxRetentionMs: millis(env.JIRA_OUTBOX_RETENTION),
  };
}

/** Only called on validated values, so a failure here is a bug in the validators. */
function millis(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new Error('duration passed validation but does not parse');
  return value;
}

function apiTokens(value: string): ApiToken[] {
  const result = parseApiTokens(value);
  if ('problems' in result) throw new Error('API_TOKENS passed validation but does not parse');
  return result.tokens;
}
