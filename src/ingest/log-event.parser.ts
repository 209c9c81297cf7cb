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
  /**
   * The parsed JSON itself, not a LogEvent instance: a copy onto the class is made only for
   * class-validator, when the compiled schema refuses the event. LogEvent has no behaviour.
   */
  event: LogEvent;
  /** Top-level fields outside the contract: kept in the event, reported so they can be counted. */
  unknownFields: readonly string[];
}

const NONE: readonly string[] = Object.freeze([]);

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
    // The text lives only as long as the parse: the stored row reuses the received bytes.
    const parsed = parseJson(decodeUtf8(value));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const kind = Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed;
      throw new InvalidEventError(
        InvalidEventReason.NOT_AN_OBJECT,
        `expected a JSON object, got ${kind}`,
      );
    }
    const shape = jsonShapeProblem(parsed, MAX_JSON_DEPTH);
    if (shape) throw new InvalidEventError(InvalidEventReason.SCHEMA_VIOLATION, shape);
    // The compiled schema is never looser than class-validator, so its "valid" is final; its
    // "invalid" goes to class-validator, the source of truth, which also words the reason.
    if (!this.fastValidator.isValid(parsed)) {
      // A shallow copy onto the class is all class-validator needs (class-transformer's deep
      // walk of additional_context would cost much more for nothing).
      const errors = validateSync(Object.assign(new LogEvent(), parsed), {
        forbidUnknownValues: true,
      });
      if (errors.length > 0) {
        throw new InvalidEventError(InvalidEventReason.SCHEMA_VIOLATION, describe(errors));
      }
      this.disagreements++;
      this.logger.debug({
        msg: 'compiled schema refused an event class-validator accepts',
        rule: this.fastValidator.rejection(parsed),
      });
    }
    return { event: parsed as LogEvent, unknownFields: unknownFieldsOf(parsed) };
  }
}

/** No array at all for the usual event, which has none: this runs for every message. */
function unknownFieldsOf(parsed: object): readonly string[] {
  let unknown: string[] | null = null;
  for (const key in parsed) {
    if (!LOG_EVENT_FIELDS.has(key)) (unknown ??= []).push(key);
  }
  return unknown ?? NONE;
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
