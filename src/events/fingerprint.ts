import { hash } from 'node:crypto';

/**
 * Bump when a detector's grouping changes meaning: the new fingerprints then open new alerts
 * instead of silently merging with (or splitting from) the old ones.
 */
export const GROUPING_VERSION = 1;

/** What a missing grouping field is shown as; it hashes as null, so it never equals a real "none". */
export const MISSING_LABEL = 'none';

/**
 * Recent fingerprints by their source text. A storm repeats a handful of problems thousands of
 * times a second; the hash of each is computed once, not once per event. Cleared when full, so
 * memory stays bounded whatever the spread of problems.
 */
const recent = new Map<string, string>();
const RECENT_MAX = 10_000;

/**
 * The identity of a problem: sha256 of JSON [detector id, grouping version, ...values], values as
 * strings or null. Migration 1764400000000 computes the same bytes; keep the two identical.
 */
export function fingerprintOf(
  detectorId: string,
  values: ReadonlyArray<string | null>,
  version = GROUPING_VERSION,
): string {
  const source = JSON.stringify([detectorId, version, ...values]);
  let fingerprint = recent.get(source);
  if (fingerprint === undefined) {
    if (recent.size >= RECENT_MAX) recent.clear();
    fingerprint = hash('sha256', source, 'hex');
    recent.set(source, fingerprint);
  }
  return fingerprint;
}
