import { setTimeout as sleep } from 'node:timers/promises';
import { InFlightBatches } from './in-flight-batches';

const RECHECK_MAX_MS = 30_000;

/**
 * Notices a pod that holds partitions without making progress: the oldest batch in hand is older
 * than the stall timeout AND the pod's dependencies do not answer from here. A stall with
 * reachable dependencies (say an unwritable dead-letter topic) is not this pod's fault, and
 * moving its partitions would not help: it stays, and the stuck-batch gauge shows it.
 */
export class StallWatchdog {
  private timer: NodeJS.Timeout | null = null;
  private acting = false;
  private readonly stopped = new AbortController();

  constructor(
    private readonly stallTimeoutMs: number,
    private readonly inFlight: InFlightBatches,
    private readonly reachable: () => Promise<boolean>,
    private readonly onStall: () => Promise<void>,
  ) {}

  start(): void {
    if (this.timer) return;
    const every = Math.max(100, Math.min(5_000, this.stallTimeoutMs / 4));
    this.timer = setInterval(() => void this.check(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopped.abort();
  }

  async check(): Promise<boolean> {
    if (this.acting || this.inFlight.oldestAgeMs() < this.stallTimeoutMs) return false;
    this.acting = true;
    try {
      if (await this.safeReachable()) return false;
      await this.onStall();
      return true;
    } finally {
      this.acting = false;
    }
  }

  /** Polls with capped backoff until the dependencies answer, or until stopped. */
  async waitUntilReachable(stop: () => boolean): Promise<void> {
    for (let delay = 1_000; !stop() && !this.stopped.signal.aborted;) {
      if (await this.safeReachable()) return;
      await sleep(delay, undefined, { signal: this.stopped.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, RECHECK_MAX_MS);
    }
  }

  private async safeReachable(): Promise<boolean> {
    try {
      return await this.reachable();
    } catch {
      return false;
    }
  }
}
