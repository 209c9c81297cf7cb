import { LogEvent } from '../events/log-event.dto';
import { MessageRef } from '../events/message-ref';
import { InboundMessage } from '../events/inbound-batch';
import { DeadLetter } from './dead-letter';

export interface DecodedEvent {
  event: LogEvent;
  ref: MessageRef;
  /** Its value is the event's JSON as received: stored as is (see OccurrenceInput.raw). */
  message: InboundMessage;
}

/** One partition's batch after decoding: valid events in offset order, and what was rejected. */
export interface DecodedBatch {
  topic: string;
  partition: number;
  valid: DecodedEvent[];
  rejected: DeadLetter[];
}
