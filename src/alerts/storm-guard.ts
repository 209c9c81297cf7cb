const WINDOW_MS = 60_000;

/**
 * Caps how many new alerts one detector may open per minute (ALERT_MAX_NEW_PER_MINUTE), per
 * instance. A grouping field that turns out to be unique per event (a request id, a timestamp)
 * would otherwise open one alert per event; past the cap, new fingerprints are folded into one
 * overflow alert for the detector instead.
 */
export class StormGuard {
  private readonly windows = new Map<string, { start: number; opened: number; folding: boolean }>();

  constructor(private readonly maxPerMinute: number) {}

  /** May this detector open one more alert now? `onFirstFold` runs once per detector and window. */
  admit(detector: string, now = Date.now(), onFirstFold?: () => void): boolean {
    let w = this.windows.get(detector);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, opened: 0, folding: false };
      this.windows.set(detector, w);
    }
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
}
