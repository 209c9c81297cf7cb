import { AlertCandidate } from '../events/match';
import { LogEvent } from '../events/log-event.dto';

export type { AlertCandidate } from '../events/match';

/** Event fields a detector may group by: top-level string fields of the contract. */
export type GroupField =
  | 'service'
  | 'error_code'
  | 'product_id'
  | 'endpoint'
  | 'order_id'
  | 'user_id'
  | 'session_id'
  | 'source_ip';

/**
 * One rule. Keep it synchronous and pure so a spec can build it with `new` and the hot path
 * never waits on I/O. Return null when the event is not this rule's business.
 */
export interface Detector {
  /**
   * Stable id, part of every fingerprint this detector makes: renaming it opens new alerts for
   * every problem it tracks, so treat it like a database key, not like a class name.
   */
  readonly id: string;
  /**
   * The event fields whose values make one problem: events that agree on all of them count as
   * occurrences of one alert. Changing the list changes fingerprints (see GROUPING_VERSION).
   */
  readonly groupBy: readonly GroupField[];
  detect(event: LogEvent): AlertCandidate | null;
}

/** Injection token for the ordered list of detectors (see rules.module.ts). */
export const DETECTORS = Symbol('DETECTORS');
