import {
  IsIn,
  IsISO8601,
  IsIP,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

export const LOG_LEVELS = [
  'trace',
  'debug',
  'info',
  'warn',
  'warning',
  'error',
  'critical',
  'fatal',
];

/**
 * RFC 3339 date-time with an explicit zone, as the ingest API emits it, in years 1970-9999:
 * anything else is a producer bug, not a POS event.
 */
export const RFC3339 =
  /^(19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A POS log event as published to pos-logs by the ingest API (snake_case on the wire). */
export class LogEvent {
  @IsString() @IsNotEmpty() @MaxLength(256) request_id: string;
  @IsString() @IsNotEmpty() @MaxLength(128) service: string;
  @IsString() @IsNotEmpty() @MaxLength(128) error_code: string;
  @IsString() @MaxLength(64 * 1024) message: string;
  @IsString() @IsIn(LOG_LEVELS) log_level: string;
  @IsString()
  @IsISO8601({ strict: true }, { message: 'timestamp must be a real calendar date-time' })
  @Matches(RFC3339, { message: 'timestamp must be an RFC 3339 date-time with a zone' })
  timestamp: string;

  @IsOptional() @IsString() @MaxLength(256) user_id?: string;
  @IsOptional() @IsString() @MaxLength(256) session_id?: string;
  @IsOptional() @IsString() @MaxLength(256) order_id?: string;
  @IsOptional() @IsString() @MaxLength(256) product_id?: string;
  @IsOptional() @IsObject() additional_context?: Record<string, unknown>;
  @IsOptional() @IsIP() source_ip?: string;
  @IsOptional() @IsString() @MaxLength(2048) endpoint?: string;
  /** The producer's own id for the event; when present it is the event's identity (see eventIdentity). */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(256) event_id?: string;
}

/**
 * Every field of the contract. Other top-level fields are kept (a producer adding one must never
 * stop alerting) and counted; see LogEventParser.
 */
export const LOG_EVENT_FIELDS: ReadonlySet<string> = new Set([
  'request_id',
  'service',
  'error_code',
  'message',
  'log_level',
  'timestamp',
  'user_id',
  'session_id',
  'order_id',
  'product_id',
  'additional_context',
  'source_ip',
  'endpoint',
  'event_id',
]);
