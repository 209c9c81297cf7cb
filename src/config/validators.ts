import ms from 'ms';
import { registerDecorator, ValidationArguments } from 'class-validator';
import { parseApiTokens } from './api-tokens';
import { parseDuration } from './duration';

/**
 * A duration setting (see parseDuration), kept as text on Environment so its default reads the
 * same in the class, .env.example and the README; AppConfig holds the milliseconds.
 */
export function IsDuration(bounds: { min?: number; max?: number } = {}): PropertyDecorator {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = bounds;
  const range = [
    min > 0 ? `at least ${ms(min)}` : '',
    max < Number.MAX_SAFE_INTEGER ? `at most ${max} ms` : '',
  ].filter(Boolean);
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDuration',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message:
          `must be ${min === 0 ? '0, ' : ''}whole milliseconds or a duration such as 30s, 5m, 24h, 14d` +
          (range.length > 0 ? `; ${range.join(', ')}` : ''),
      },
      validator: {
        validate(value: unknown) {
          const millis = typeof value === 'string' ? parseDuration(value) : undefined;
          return millis !== undefined && millis >= min && millis <= max;
        },
      },
    });
}

/** API_TOKENS; the message lists every broken entry by position, never its text. */
export function IsApiTokenList(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isApiTokenList',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && 'tokens' in parseApiTokens(value),
        defaultMessage({ value }: ValidationArguments) {
          const result = typeof value === 'string' ? parseApiTokens(value) : undefined;
          return result && 'problems' in result ? result.problems.join('; ') : 'must be text';
        },
      },
    });
}

/**
 * SASL/PLAIN sends the password as is; over a connection without TLS anyone on the path reads it.
 * SCRAM never sends the password, so it stays allowed without TLS.
 */
export function RefusesPlainSaslWithoutTls(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'refusesPlainSaslWithoutTls',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message:
          'plain sends the password in clear text without KAFKA_SSL=true; ' +
          'set KAFKA_SASL_ALLOW_PLAINTEXT=true to accept that',
      },
      validator: {
        validate(value: unknown, { object }: ValidationArguments) {
          const env = object as { KAFKA_SSL?: unknown; KAFKA_SASL_ALLOW_PLAINTEXT?: unknown };
          return (
            value !== 'plain' || env.KAFKA_SSL === true || env.KAFKA_SASL_ALLOW_PLAINTEXT === true
          );
        },
      },
    });
}

const SEVERITIES = ['critical', 'warning', 'info'];

/** JIRA_CREATE_FOR: comma-separated severities, or `none`. */
export function parseSeverityList(value: string): string[] | undefined {
  const items = value.split(',').map((s) => s.trim().toLowerCase());
  if (items.length === 1 && items[0] === 'none') return [];
  return items.every((s) => SEVERITIES.includes(s)) ? [...new Set(items)] : undefined;
}

export function IsSeverityList(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSeverityList',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `must be comma-separated ${SEVERITIES.join(', ')}, or none` },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && parseSeverityList(value) !== undefined,
      },
    });
}

/** An http(s) URL with an `{id}` placeholder for the alert id. */
export function IsAlertUrlTemplate(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAlertUrlTemplate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an http(s) URL containing {id}' },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string' || !value.includes('{id}')) return false;
          try {
            return ['http:', 'https:'].includes(new URL(value.replaceAll('{id}', 'id')).protocol);
          } catch {
            return false;
          }
        },
      },
    });
}
