import { AlertSeverity } from '../alerts/alert.enums';
import { LogEvent } from '../ingest/log-event.dto';

/** What a detector concludes about one event; AlertsService turns it into a stored Alert. */
export interface AlertCandidate {
  issueCode: string;
  severity: AlertSeverity;
  suggestedFix: string;
  /** 0..1; 1.0 for exact error-code matches. */
  confidence: number;
}

/**
 * One rule. Keep it synchronous and pure so a spec can build it with `new` and the hot path
 * never waits on I/O. Return null when the event is not this rule's business.
 */
export interface Detector {
  detect(event: LogEvent): AlertCandidate | null;
}

/** Injection token for the ordered list of detectors (see rules.module.ts). */
export const DETECTORS = Symbol('DETECTORS');
