import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
  ValidateIf,
} from 'class-validator';
import {
  IsAlertUrlTemplate,
  IsApiTokenList,
  IsDuration,
  IsSeverityList,
  RefusesPlainSaslWithoutTls,
} from './validators';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every setting the service reads, with its default. Defaults match .env.example and the
 * README's table; anything a deployment must decide has none.
 */
export class Environment {
  /** Comma-separated host:port list. */
  @IsString()
  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: 'must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString() @IsNotEmpty() KAFKA_CLIENT_ID = 'stacklens-consumer';
  @IsString() @IsNotEmpty() KAFKA_GROUP_ID = 'stacklens-consumer-group';
  @IsString() @IsNotEmpty() KAFKA_TOPIC = 'pos-logs';
  @IsString() @IsNotEmpty() KAFKA_DLQ_TOPIC = 'pos-logs.dlq';

  /** Messages larger than this are dead-lettered as TOO_LARGE instead of parsed. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  KAFKA_MAX_MESSAGE_BYTES = 1024 * 1024;

  /** How many partitions this instance works on at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  KAFKA_PARTITIONS_CONCURRENCY = 3;

  /** Fetch a partition's next batch while its last one is written; commits still wait for durable. */
  @Transform(toBoolean) @IsBoolean() KAFKA_FETCH_AHEAD = true;

  /** TLS to the brokers; KAFKA_SSL_CA_FILE adds a private CA, and verification stays on by default. */
  @Transform(toBoolean) @IsBoolean() KAFKA_SSL = false;
  @IsOptional() @IsString() @IsNotEmpty() KAFKA_SSL_CA_FILE?: string;
  @Transform(toBoolean) @IsBoolean() KAFKA_SSL_REJECT_UNAUTHORIZED = true;

  /** SASL authentication; username and password are then required. */
  @IsOptional()
  @IsIn(['plain', 'scram-sha-256', 'scram-sha-512'])
  @RefusesPlainSaslWithoutTls()
  KAFKA_SASL_MECHANISM?: string;
  /** Accepts SASL plain without TLS, e.g. a development broker on localhost. */
  @Transform(toBoolean) @IsBoolean() KAFKA_SASL_ALLOW_PLAINTEXT = false;
  @ValidateIf((env: Environment) => env.KAFKA_SASL_MECHANISM !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set' })
  KAFKA_SASL_USERNAME?: string;
  @ValidateIf((env: Environment) => env.KAFKA_SASL_MECHANISM !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set' })
  KAFKA_SASL_PASSWORD?: string;

  /** postgres://user:password@host:port/database; may hold a secret, never logged. */
  @IsString()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/stacklens';

  @Transform(toInt) @IsInt() @Min(1) @Max(100) DATABASE_POOL_SIZE = 10;

  /**
   * Bounds every single query (the server cancels it; the client gives up 2 s later on a
   * black-holed connection), so nothing holds shutdown (25 s deadline) or a partition forever.
   * Capped at 20 s to keep that guarantee.
   */
  @Transform(toInt) @IsInt() @Min(100) @Max(20_000) DATABASE_QUERY_TIMEOUT_MS = 10_000;

  /** Upper bound of the backoff between retries of a failing database write. */
  @Transform(toInt) @IsInt() @Min(10) @Max(600_000) DATABASE_RETRY_MAX_MS = 30_000;

  /** libpq-style TLS modes; verify-ca checks the chain, verify-full also the host name. */
  @IsIn(['disable', 'require', 'verify-ca', 'verify-full']) DATABASE_SSL_MODE = 'disable';
  @IsOptional() @IsString() @IsNotEmpty() DATABASE_SSL_CA_FILE?: string;

  /** raw_log keeps events up to this size as received; larger ones are stored truncated. */
  @Transform(toInt) @IsInt() @Min(1024) @Max(100 * 1024 * 1024) RAW_LOG_MAX_BYTES = 64 * 1024;

  /** Apply pending migrations before consuming. */
  @Transform(toBoolean) @IsBoolean() RUN_MIGRATIONS = true;

  @IsString() HTTP_HOST = '0.0.0.0';
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) HTTP_PORT = 3000;

  /** How long readiness waits for Postgres to answer SELECT 1. */
  @Transform(toInt) @IsInt() @Min(50) @Max(60_000) READINESS_DB_TIMEOUT_MS = 1000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';

  /**
   * A batch that has not finished after this long counts as stalled. At least 1s, and below
   * 2^31 ms because Node fires a longer timer at once.
   */
  @IsDuration({ min: 1000, max: 2 ** 31 - 1 }) PROCESSING_STALL_TIMEOUT = '5m';

  /** Tries of one event before it is given up on. */
  @Transform(toInt) @IsInt() @Min(1) @Max(20) PROCESSING_MAX_ATTEMPTS = 3;

  /** New alerts created per minute at most, so a flood of distinct errors cannot bury the table. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) ALERT_MAX_NEW_PER_MINUTE = 200;

  /** A resolved alert that recurs within this window is reopened instead of created anew. */
  @IsDuration() ALERT_REOPEN_WINDOW = '24h';

  /** An alert without occurrences for this long is resolved; 0 never resolves automatically. */
  @IsDuration() ALERT_AUTO_RESOLVE_AFTER = '30m';

  /** How long occurrences are kept; rounded up to whole days, at least one. */
  @IsDuration({ min: 86_400_000 }) ALERT_OCCURRENCE_RETENTION = '14d';

  /** name:role:token entries; empty means the API answers 401 to every request. */
  @IsString() @IsApiTokenList() API_TOKENS = '';

  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) API_RATE_LIMIT_PER_MINUTE = 300;

  /**
   * Signs the triage console's session cookies (HMAC-SHA256). Unset: a random secret per process,
   * so sessions end when the service restarts and instances cannot read each other's cookies.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[\s\S]{32,}$/, { message: 'must be at least 32 characters' })
  UI_SESSION_SECRET?: string;

  /** Jira's base URL (a Data Center context path included); unset, the integration is off. */
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL such as https://example.atlassian.net' },
  )
  JIRA_BASE_URL?: string;

  /** cloud: REST v3, email + API token; datacenter: REST v2, personal access token. */
  @IsIn(['cloud', 'datacenter']) JIRA_API = 'cloud';

  @ValidateIf((env: Environment) => jiraNeeds(env, 'cloud'))
  @IsString()
  @IsNotEmpty({ message: 'JIRA_EMAIL is required with JIRA_BASE_URL and JIRA_API=cloud' })
  JIRA_EMAIL?: string;
  @ValidateIf((env: Environment) => jiraNeeds(env, 'cloud'))
  @IsString()
  @IsNotEmpty({ message: 'JIRA_API_TOKEN is required with JIRA_BASE_URL and JIRA_API=cloud' })
  JIRA_API_TOKEN?: string;
  @ValidateIf((env: Environment) => jiraNeeds(env, 'datacenter'))
  @IsString()
  @IsNotEmpty({ message: 'JIRA_PAT is required with JIRA_BASE_URL and JIRA_API=datacenter' })
  JIRA_PAT?: string;

  @ValidateIf((env: Environment) => jiraNeeds(env))
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,9}$/, {
    message: 'is required with JIRA_BASE_URL: a project key such as OPS',
  })
  JIRA_PROJECT_KEY?: string;

  @IsString() @IsNotEmpty() JIRA_ISSUE_TYPE = 'Bug';

  /** Severities whose new alerts get a ticket by themselves; `none`: only when asked for. */
  @IsSeverityList() JIRA_CREATE_FOR = 'critical';

  /** Occurrences an alert needs before it gets a ticket by itself. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000_000) JIRA_MIN_OCCURRENCES = 1;

  /** Workflow transitions by name (case-insensitive). */
  @IsString() @IsNotEmpty() JIRA_RESOLVE_TRANSITION = 'Done';
  @IsString() @IsNotEmpty() JIRA_REOPEN_TRANSITION = 'Reopen';

  /** At most one "still firing" comment per ticket per interval. */
  @IsDuration({ min: 60_000 }) JIRA_UPDATE_INTERVAL = '1h';

  /** Link from the ticket to the alert, e.g. https://stacklens.example/ui/alerts/{id}. */
  @IsOptional() @IsAlertUrlTemplate() JIRA_ALERT_URL_TEMPLATE?: string;

  /** HMAC-SHA256 secret of the webhook; unset, POST /webhooks/jira answers 401. */
  @IsOptional() @IsString() @IsNotEmpty() JIRA_WEBHOOK_SECRET?: string;

  /** Longest one Jira request may take. */
  @Transform(toInt) @IsInt() @Min(100) @Max(120_000) JIRA_TIMEOUT_MS = 10_000;

  /** How long delivered outbox rows are kept before they are deleted. */
  @IsDuration({ min: 86_400_000 }) JIRA_OUTBOX_RETENTION = '30d';

  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
}

/** Jira is on (JIRA_BASE_URL set) and, when given, speaks that API flavour. */
function jiraNeeds(env: Environment, api?: string): boolean {
  return env.JIRA_BASE_URL !== undefined && (api === undefined || env.JIRA_API === api);
}

let known: readonly string[] | undefined;

/** Names of every setting, read from the validation decorators so the list cannot drift. */
export function knownVariables(): readonly string[] {
  known ??= [
    ...new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(Environment, '', true, false)
        .map((m) => m.propertyName),
    ),
  ];
  return known;
}

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = InvalidConfigError.name;
  }
}

/**
 * Validates an environment, reading only the known variables. Uncached: the service reads its
 * settings through loadAppConfig, which calls this once. Messages name the variable and the rule
 * it broke, never the value: DATABASE_URL, the SASL password and API tokens are secrets.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const defined: Record<string, unknown> = {};
  for (const name of knownVariables()) {
    if (raw[name] !== undefined && raw[name] !== '') defined[name] = raw[name];
  }
  const env = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new InvalidConfigError(
      errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`),
    );
  }
  return env;
}
