import { hash } from 'node:crypto';

/**
 * Bump when a detector's grouping changes meaning: the new fingerprints then open new alerts
 * instead of silently merging with (or splitting from) the old ones.
 */
export const GROUPING_VERSION = 1;

/** What a missing grouping field is shown as; it hashes as null, so it never equals a real "none". */
export const MISSING_LABEL = 'none';

/**
 * The identity of a problem: sha256 of JSON [detector id, grouping version, ...values], values as
 * strings or null. Migration 1764400000000 computes the same bytes; keep the two identical.
 */
export function fingerprintOf(
  detectorId: string,
  values: ReadonlyArray<string | null>,
  version = GROUPING_VERSION,
): string {
  return hash('sha256', JSON.stringify([detectorId, version, ...values]), 'hex');
}
