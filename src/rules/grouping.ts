import { fingerprintOf, MISSING_LABEL } from '../events/fingerprint';
import { LogEvent } from '../events/log-event.dto';
import { Detector } from './detector';

export interface Grouping {
  fingerprint: string;
  /** field -> value, what a person reads to see why events were grouped ("none" when missing). */
  labels: Record<string, string>;
}

/** The problem an event belongs to, by the detector's group-by fields. */
export function groupingOf(detector: Detector, event: LogEvent): Grouping {
  const values: Array<string | null> = [];
  const labels: Record<string, string> = {};
  for (const field of detector.groupBy) {
    const value = (event as unknown as Record<string, unknown>)[field];
    // A missing field groups as its own value, never as something random.
    const present = typeof value === 'string' ? value : null;
    values.push(present);
    labels[field] = present ?? MISSING_LABEL;
  }
  return { fingerprint: fingerprintOf(detector.id, values), labels };
}
