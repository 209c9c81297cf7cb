import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from 'kafkajs';
import { kafka } from './bench-env';

/** A change in the group's committed offsets, as first seen by the watcher. */
export interface CommitObservation {
  /** performance.now() when the fetch that showed it returned: an upper bound on the commit. */
  at: number;
  /** Next offset to consume per partition; a partition without a commit counts as 0. */
  offsets: Map<number, bigint>;
  total: bigint;
}

/** A run that commits nothing new for this long is reported as hung. */
export const STALL_MS = 120_000;

/**
 * Polls one group's committed offsets of one topic on its own admin client, and records every
 * change. Commits are what the service promises (the batch is durable), so every "done" and every
 * rate or latency in the benchmark is read from here rather than from the database.
 */
export class CommitWatcher {
  /** The state when the watcher started, then every change. */
  readonly history: CommitObservation[] = [];
  private polls = 0;
  private pollingMs = 0;
  private running = true;
  private failure: Error | null = null;
  private loop: Promise<void> | null = null;
  private readonly admin: Admin = kafka.admin();

  private constructor(
    private readonly group: string,
    private readonly topic: string,
    readonly intervalMs: number,
  ) {}

  /** Resolves once the first state (before anything of this run was committed) is recorded. */
  static async start(group: string, topic: string, intervalMs = 20): Promise<CommitWatcher> {
    const w = new CommitWatcher(group, topic, intervalMs);
    await w.admin.connect();
    await w.poll();
    w.loop = w.run();
    return w;
  }

  get initial(): CommitObservation {
    return this.history[0];
  }

  get latest(): CommitObservation {
    return this.history[this.history.length - 1];
  }

  /** Mean time between two fetches: the resolution of every time read from this watcher. */
  get meanPollMs(): number {
    return this.polls > 0 ? this.pollingMs / this.polls : this.intervalMs;
  }

  /**
   * The first observation, from now on, that `done` accepts. Fails when `alive` says the process
   * under test died, or after STALL_MS without a new commit.
   */
  async until(
    done: (o: CommitObservation) => boolean,
    alive: () => boolean,
    from = 0,
  ): Promise<CommitObservation> {
    let checked = from;
    for (;;) {
      if (this.failure) throw this.failure;
      for (; checked < this.history.length; checked++) {
        if (done(this.history[checked])) return this.history[checked];
      }
      if (!alive()) throw new Error(`process under test exited (group ${this.group})`);
      if (performance.now() - this.latest.at > STALL_MS) {
        throw new Error(`no commit for ${STALL_MS / 1000} s (group ${this.group})`);
      }
      await sleep(this.intervalMs);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.admin.disconnect();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = performance.now();
      try {
        await this.poll();
      } catch (err) {
        this.failure = err as Error;
        return;
      }
      const elapsed = performance.now() - started;
      if (elapsed < this.intervalMs) await sleep(this.intervalMs - elapsed);
      this.polls++;
      this.pollingMs += performance.now() - started;
    }
  }

  private async poll(): Promise<void> {
    const [fetched] = await this.admin.fetchOffsets({ groupId: this.group, topics: [this.topic] });
    const at = performance.now();
    const offsets = new Map<number, bigint>();
    let total = 0n;
    for (const p of fetched.partitions) {
      const o = BigInt(p.offset);
      offsets.set(p.partition, o < 0n ? 0n : o);
      total += o < 0n ? 0n : o;
    }
    const last = this.history[this.history.length - 1];
    if (!last || [...offsets].some(([p, o]) => last.offsets.get(p) !== o)) {
      this.history.push({ at, offsets, total });
    }
  }
}
