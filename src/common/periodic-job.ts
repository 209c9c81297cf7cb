/**
 * Work repeated on a timer in every instance (sweeps, outbox polls, partition upkeep): never two
 * runs at once (a tick that finds one running is skipped, so a slow database cannot pile runs
 * up), a failed run goes to `onError` and the next tick is its retry (the interval bounds it),
 * and stop() waits for the run in hand. The timer does not keep the process alive.
 */
export class PeriodicJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(everyMs: number): void {
    this.timer ??= setInterval(() => void this.run(), everyMs).unref();
  }

  /** One run now, or the one already under way; settles when it ends, never rejects. */
  run(): Promise<void> {
    // Through then(): a `work` that throws before its first await is a failed run too.
    this.running ??= Promise.resolve()
      .then(() => this.work())
      .then(
        () => undefined,
        (err: unknown) => this.onError(err),
      )
      .finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
