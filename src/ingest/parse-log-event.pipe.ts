import { Inject, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { kafkaConfig, KafkaConfig } from '../config/configuration';
import { InvalidEventError, InvalidEventReason } from './invalid-event.error';
import { LogEvent } from './log-event.dto';

const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns a raw Kafka value into a validated LogEvent, or throws InvalidEventError with the reason
 * the dead-letter headers carry. Every check is permanent: the same bytes always fail the same way.
 */
@Injectable()
export class ParseLogEventPipe implements PipeTransform<Buffer | null, LogEvent> {
  constructor(@Inject(kafkaConfig.KEY) private readonly config: KafkaConfig) {}

  transform(value: Buffer | null): LogEvent {
    if (value === null || value === undefined || value.length === 0) {
      throw new InvalidEventError(
        InvalidEventReason.EMPTY_MESSAGE,
        'message value is empty or null',
      );
    }
    if (value.length > this.config.maxMessageBytes) {
      throw new InvalidEventError(
        InvalidEventReason.TOO_LARGE,
        `message is ${value.length} bytes; the limit is ${this.config.maxMessageBytes}`,
      );
    }
    const text = decodeUtf8(value);
    const parsed = parseJson(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const kind = Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed;
      throw new InvalidEventError(
        InvalidEventReason.NOT_AN_OBJECT,
        `expected a JSON object, got ${kind}`,
      );
    }
    const forbidden = FORBIDDEN_KEYS.find((key) => Object.hasOwn(parsed, key));
    if (forbidden) {
      // class-transformer would assign it and swap the DTO's prototype.
      throw new InvalidEventError(
        InvalidEventReason.SCHEMA_VIOLATION,
        `top-level key "${forbidden}" is not allowed`,
      );
    }
    const event = plainToInstance(LogEvent, parsed, { enableImplicitConversion: false });
    const errors = validateSync(event, { forbidUnknownValues: true });
    if (errors.length > 0) {
      throw new InvalidEventError(InvalidEventReason.SCHEMA_VIOLATION, describe(errors));
    }
    return event;
  }
}

function decodeUtf8(value: Buffer): string {
  try {
    return utf8.decode(value);
  } catch {
    throw new InvalidEventError(InvalidEventReason.INVALID_ENCODING, 'message is not valid UTF-8');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidEventError(InvalidEventReason.INVALID_JSON, (err as Error).message);
  }
}

function describe(errors: ValidationError[]): string {
  return errors
    .map((e) => Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` }))
    .flat()
    .join('; ');
}
