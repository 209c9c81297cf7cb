/**
 * Why a message could not become a LogEvent. These codes travel in the dead-letter header
 * `dlq.reason` and in logs, so they are part of the service's contract: add, never rename.
 */
export enum InvalidEventReason {
  EMPTY_MESSAGE = 'EMPTY_MESSAGE',
  TOO_LARGE = 'TOO_LARGE',
  INVALID_ENCODING = 'INVALID_ENCODING',
  INVALID_JSON = 'INVALID_JSON',
  NOT_AN_OBJECT = 'NOT_AN_OBJECT',
  SCHEMA_VIOLATION = 'SCHEMA_VIOLATION',
  /** Valid by schema, but Postgres refused to store it (e.g. a \u0000 inside jsonb). */
  UNSTORABLE = 'UNSTORABLE',
  /**
   * Not the input's fault as far as we know: processing kept failing with an unclassified error
   * (a bug, say) after PROCESSING_MAX_ATTEMPTS. Replay it once the cause is fixed.
   */
  PROCESSING_FAILED = 'PROCESSING_FAILED',
}

/** Permanent: retrying the same bytes can never succeed, so the message is dead-lettered. */
export class InvalidEventError extends Error {
  constructor(
    readonly reason: InvalidEventReason,
    message: string,
  ) {
    super(message);
    this.name = InvalidEventError.name;
  }
}
