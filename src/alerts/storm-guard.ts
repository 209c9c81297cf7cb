const WINDOW_MS = 60_000;
/** Folded fingerprints remembered per detector, to count each once; cleared past this size. */
const MAX_REMEMBERED = 100_000;

interface Window {
  start: number;
  opened: number;
  folding: boolean;
}

/**
 * Caps how many new alerts one detector may open per minute (ALERT_MAX_NEW_PER_MINUTE), per
 * instance: with N instances the fleet-wide cap is N times that. A grouping field that turns out
 * to be unique per event (a request id, a timestamp) would otherwise open one alert per event;
 * past the cap, new fingerprints are folded into one overflow alert for the detector instead.
 */
export class StormGuard {
  private readonly windows = new Map<string, Window>();
  private readonly folded = new Map<string, Set<string>>();

  constructor(private readonly maxPerMinute: number) {}

  /** May this detector open one more alert now? `onFirstFold` runs once per detector and window. */
  admit(detector: string, now = Date.now(), onFirstFold?: () => void): boolean {
    const w = this.window(detector, now);
    if (w.opened < this.maxPerMinute) {
      w.opened++;
      return true;
    }
    if (!w.folding) {
      w.folding = true;
      onFirstFold?.();
    }
    return false;
  }

  /** Gives back admissions whose alerts were not opened after all (the transaction rolled back). */
  refund(detector: string, count: number, now = Date.now()): void {
    const w = this.window(detector, now);
    w.opened = Math.max(0, w.opened - count);
  }

  /** How many of these fingerprints were never folded before: the overflow alert counts distinct ones. */
  newlyFolded(detector: string, fingerprints: string[]): number {
    let seen = this.folded.get(detector);
    if (!seen || seen.size > MAX_REMEMBERED) {
      seen = new Set();
      this.folded.set(detector, seen);
    }
    let fresh = 0;
    for (const fp of fingerprints) {
      if (seen.has(fp)) continue;
      seen.add(fp);
      fresh++;
    }
    return fresh;
  }

  /** Undoes newlyFolded for a batch that rolled back. */
  forgetFolded(detector: string, fingerprints: string[]): void {
    const seen = this.folded.get(detector);
    for (const fp of fingerprints) seen?.delete(fp);
  }

  private window(detector: string, now: number): Window {
    let w = this.windows.get(detector);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, opened: 0, folding: false };
      this.windows.set(detector, w);
    }
    return w;
  }
}
