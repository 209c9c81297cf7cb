import { randomUUID } from 'node:crypto';
import { AlertStatus } from '../events/alert.enums';
import { fingerprintOf } from '../events/fingerprint';
import { Match } from '../events/match';
import { PreparedOccurrence } from './occurrence-input';

/** The alert row a fingerprint currently maps to: its unresolved alert, else its latest resolved one. */
export interface ExistingAlert {
  id: string;
  fingerprint: string;
  status: AlertStatus;
  resolvedAt: Date | null;
}

/**
 * What one batch does to one alert:
 * - `insert`: a new alert (no unresolved one, and no resolved one it may reopen);
 * - `update`: count on an open or acknowledged alert (status unchanged);
 * - `reopen`: a resolved alert gets a newer event within the reopen window;
 * - `late`: a resolved alert gets only events from before it was resolved: they count, it stays resolved.
 */
export interface AlertTarget {
  kind: 'insert' | 'update' | 'reopen' | 'late';
  alertId: string;
  fingerprint: string;
  /** The match of the first event: detector, candidate and labels of a new alert. */
  match: Match;
  overflow: boolean;
  /** Fingerprints folded into this (overflow) alert by this batch. */
  foldedFingerprints: string[];
  occurrences: PreparedOccurrence[];
}

export interface PlanOptions {
  reopenWindowMs: number;
  now: number;
  /** Asked once per new fingerprint: may the detector open another alert? (storm guard) */
  admitNew: (detector: string) => boolean;
}

/** The fingerprint new problems of a detector fold into once its storm guard trips. */
export function overflowFingerprint(detector: string): string {
  return fingerprintOf(`${detector}#overflow`, []);
}

/**
 * Decides, for one batch, which alert every occurrence counts on. Pure: the lifecycle rules live
 * here, testable without a database; the writer applies the plan.
 */
export function planTargets(
  groups: Map<string, PreparedOccurrence[]>,
  existing: Map<string, ExistingAlert>,
  options: PlanOptions,
): AlertTarget[] {
  const targets = new Map<string, AlertTarget>();
  for (const [fingerprint, occurrences] of groups) {
    const match = occurrences[0].input.match;
    const current = existing.get(fingerprint);
    const decided = decide(current, occurrences, options);
    if (decided || options.admitNew(match.detector)) {
      const kind = decided ?? 'insert';
      const alertId = kind === 'insert' ? randomUUID() : current!.id;
      targets.set(fingerprint, {
        kind,
        alertId,
        fingerprint,
        match,
        overflow: false,
        foldedFingerprints: [],
        occurrences,
      });
      continue;
    }
    // Storm: fold this new problem into the detector's overflow alert.
    const overflowFp = overflowFingerprint(match.detector);
    let overflow = targets.get(overflowFp);
    if (!overflow) {
      const currentOverflow = existing.get(overflowFp);
      const kind =
        currentOverflow?.status === AlertStatus.RESOLVED || !currentOverflow ? 'insert' : 'update';
      overflow = {
        kind,
        alertId: kind === 'insert' ? randomUUID() : currentOverflow!.id,
        fingerprint: overflowFp,
        match: {
          ...match,
          fingerprint: overflowFp,
          groupLabels: { overflow: 'true', detector: match.detector },
        },
        overflow: true,
        foldedFingerprints: [],
        occurrences: [],
      };
      targets.set(overflowFp, overflow);
    }
    overflow.foldedFingerprints.push(fingerprint);
    overflow.occurrences.push(...occurrences);
  }
  return [...targets.values()];
}

function decide(
  current: ExistingAlert | undefined,
  occurrences: PreparedOccurrence[],
  { reopenWindowMs, now }: PlanOptions,
): AlertTarget['kind'] | null {
  if (!current) return null;
  if (current.status !== AlertStatus.RESOLVED) return 'update';
  const resolvedAt = current.resolvedAt!.getTime();
  // An event from before the resolution is history, not a regression.
  if (occurrences.every((o) => o.eventTime <= resolvedAt)) return 'late';
  return now - resolvedAt <= reopenWindowMs ? 'reopen' : null;
}
