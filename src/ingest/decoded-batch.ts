import { LogEvent } from '../events/log-event.dto';
import { MessageRef } from '../events/message-ref';
import { InboundMessage } from '../events/inbound-batch';
import { DeadLetter } from './dead-letter';

export interface DecodedEvent {
  event: LogEvent;
  ref: MessageRef;
  message: InboundMessage;
  /** The event's JSON text as received (see ParsedEvent.json). */
  json: string;
}

/** One partition's batch after decoding: valid events in offset order, and what was rejected. */
export interface DecodedBatch {
  topic: string;
  partition: number;
  valid: DecodedEvent[];
  rejected: DeadLetter[];
}
