import { hash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

/**
 * The identity of one event, independent of where Kafka put it: the producer's `event_id` when it
 * sends one, else the event's canonical JSON (keys sorted). Copies of one event (a producer retry,
 * a redelivery, a replay) share it; two different events never do, even within one request and
 * millisecond. The prefixes keep the two spaces apart.
 */
export function eventIdentity(event: object): string {
  const id = (event as { event_id?: unknown }).event_id;
  const source = typeof id === 'string' && id.length > 0 ? `id:${id}` : `json:${stringify(event)}`;
  // One-shot hash: no Hash object per event (Node >= 20.12).
  return hash('sha256', source, 'hex');
}
