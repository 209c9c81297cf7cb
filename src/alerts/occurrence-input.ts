import { LogEvent } from '../events/log-event.dto';
import { Match } from '../events/match';
import { MessageRef } from '../events/message-ref';

/** One alert-worthy event as AlertsService receives it: the event, where it was read, what matched. */
export interface OccurrenceInput {
  event: LogEvent;
  ref: MessageRef;
  /** The Kafka value's length, so a small event is not serialised again to check its size. */
  receivedBytes: number;
  /**
   * The event's JSON as received (valid UTF-8, already parsed once), when the caller has it:
   * within RAW_LOG_MAX_BYTES these bytes are stored verbatim (jsonb reads them exactly as it
   * would read the event serialised again, and keeps numbers as the producer wrote them), so an
   * occurrence is never serialised or re-encoded on the hot path.
   */
  raw?: Buffer;
  match: Match;
}

/** An occurrence ready to write: its identity and time computed once. */
export interface PreparedOccurrence {
  input: OccurrenceInput;
  eventId: string;
  eventTime: number;
}
