import { AlertSeverity } from './alert.enums';

/** What a detector concludes about one event; AlertsService turns it into an occurrence of an alert. */
export interface AlertCandidate {
  issueCode: string;
  severity: AlertSeverity;
  suggestedFix: string;
  /** 0..1; 1.0 for exact error-code matches. */
  confidence: number;
}

/** The rule that matched an event, and the problem (fingerprint) the event belongs to. */
export interface Match {
  /** The detector's stable id. */
  detector: string;
  candidate: AlertCandidate;
  fingerprint: string;
  /** field -> value: why events were grouped, as a person reads it. */
  groupLabels: Record<string, string>;
}
