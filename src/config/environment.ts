import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
  ValidateIf,
} from 'class-validator';

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

  /** TLS to the brokers; KAFKA_SSL_CA_FILE adds a private CA, and verification stays on by default. */
  @Transform(toBoolean) @IsBoolean() KAFKA_SSL = false;
  @IsOptional() @IsString() @IsNotEmpty() KAFKA_SSL_CA_FILE?: string;
  @Transform(toBoolean) @IsBoolean() KAFKA_SSL_REJECT_UNAUTHORIZED = true;

  /** SASL authentication; username and password are then required. */
  @IsOptional() @IsIn(['plain', 'scram-sha-256', 'scram-sha-512']) KAFKA_SASL_MECHANISM?: string;
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

  /** Rows per INSERT when alerts are written in micro-batches. */
  @Transform(toInt) @IsInt() @Min(1) @Max(5000) DATABASE_WRITE_BATCH_SIZE = 500;

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

  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
}

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = InvalidConfigError.name;
  }
}

/**
 * Validates the environment once at start. Messages name the variable and the rule it broke,
 * never the value: DATABASE_URL and friends carry passwords.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const defined = Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''),
  );
  const env = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new InvalidConfigError(
      errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`),
    );
  }
  return env;
}
