import { Inject, Injectable, Logger } from '@nestjs/common';
import { validateSync, ValidationError } from 'class-validator';
import { kafkaConfig, KafkaConfig } from '../config/configuration';
import { LOG_EVENT_FIELDS, LogEvent } from '../events/log-event.dto';
import { FastEventValidator } from './fast-event-validator';
import { InvalidEventError, InvalidEventReason } from './invalid-event.error';
import { jsonShapeProblem } from './json-shape';

/** Deep enough for any real additional_context; far below what recursive JSON code survives. */
export const MAX_JSON_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface ParsedEvent {
  event: LogEvent;
  /** Top-level fields outside the contract: kept in the event, reported so they can be counted. */
  unknownFields: string[];
  /** The value's text as received: stored as is, so the hot path never serialises the event again. */
  json: string;
}

/**
 * Turns a raw Kafka value into a validated LogEvent, or throws InvalidEventError with the reason
 * the dead-letter headers carry. Every check is permanent: the same bytes always fail the same way.
 * A tolerant reader: fields a producer adds are kept; known fields, size, depth and prototype keys
 * are checked strictly.
 */
@Injectable()
export class LogEventParser {
  private readonly logger = new Logger(LogEventParser.name);
  private readonly fastValidator = new FastEventValidator();
  private disagreements = 0;

  constructor(
    @Inject(kafkaConfig.KEY) private readonly config: Pick<KafkaConfig, 'maxMessageBytes'>,
  ) {}

  /**
   * Events the compiled schema refused and class-validator accepted. Expected only in the known
   * stricter corners (see log-event.schema.ts); anything else is a schema bug.
   */
  get validatorDisagreements(): number {
    return this.disagreements;
  }

  parse(value: Buffer | null): ParsedEvent {
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
    const json = decodeUtf8(value);
    const parsed = parseJson(json);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const kind = Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed;
      throw new InvalidEventError(
        InvalidEventReason.NOT_AN_OBJECT,
        `expected a JSON object, got ${kind}`,
      );
    }
    const shape = jsonShapeProblem(parsed, MAX_JSON_DEPTH);
    if (shape) throw new InvalidEventError(InvalidEventReason.SCHEMA_VIOLATION, shape);
    // A shallow copy onto the class is all validation needs; class-transformer's deep walk of
    // additional_context cost ~5% of CPU at full speed for nothing.
    const event = Object.assign(new LogEvent(), parsed);
    // The compiled schema is never looser than class-validator, so its "valid" is final; its
    // "invalid" goes to class-validator, the source of truth, which also words the reason.
    if (!this.fastValidator.isValid(parsed)) {
      const errors = validateSync(event, { forbidUnknownValues: true });
      if (errors.length > 0) {
        throw new InvalidEventError(InvalidEventReason.SCHEMA_VIOLATION, describe(errors));
      }
      this.disagreements++;
      this.logger.debug({
        msg: 'compiled schema refused an event class-validator accepts',
        rule: this.fastValidator.rejection(parsed),
      });
    }
    const unknownFields = Object.keys(parsed).filter((key) => !LOG_EVENT_FIELDS.has(key));
    return { event, unknownFields, json };
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
