import { InboundMessage } from '../events/inbound-batch';
import { MessageRef } from '../events/message-ref';
import { InvalidEventReason } from './invalid-event.error';

/** A message that will not become an alert, and why: the dead-letter topic gets it with its reason. */
export interface DeadLetter {
  message: InboundMessage;
  ref: MessageRef;
  reason: InvalidEventReason;
  error: string;
}
