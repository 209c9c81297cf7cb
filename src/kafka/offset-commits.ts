import { partitionKey as key } from './partition-key';

/** The next offset to consume of one partition, all before it durable. */
export interface DurableOffset {
  topic: string;
  partition: number;
  offset: string;
}

interface Pending {
  offset: DurableOffset;
  /** The group generation the batch was fetched in. */
  generation: number;
  done: Array<() => void>;
}

/**
 * Offset commits of durable batches, coalesced: one OffsetCommit request at a time, carrying every
 * partition that became durable since the last one. A group commit makes the batches of several
 * partitions durable at once; one request for all of them instead of one each spares the broker
 * an append to __consumer_offsets per partition, and the pod a round trip. A partition's batches
 * commit in offset order (PartitionTails), so the offset kept for a partition is its latest.
 */
export class OffsetCommits {
  private readonly pending = new Map<string, Pending>();
  private flushing = false;

  /**
   * `send` commits offsets and settles without throwing (a failed commit is left to the next one:
   * commits are cumulative and batches idempotent). `generation` is the group's current one.
   */
  constructor(
    private readonly send: (offsets: DurableOffset[]) => Promise<void>,
    private readonly generation: () => number,
  ) {}

  /** Settles once a request that carried this offset, or a later one of its partition, has. */
  commit(offset: DurableOffset, generation: number): Promise<void> {
    return new Promise((resolve) => {
      const k = key(offset.topic, offset.partition);
      const done = this.pending.get(k)?.done ?? [];
      done.push(resolve);
      this.pending.set(k, { offset, generation, done });
      if (this.flushing) return;
      this.flushing = true;
      // Past this turn, so partitions that become durable in the same turn share the request.
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.size > 0) {
      const taken = [...this.pending.values()];
      this.pending.clear();
      // A batch fetched before the group rebalanced is not this member's to commit: its
      // partition may be another member's now, and kafkajs fetches it again if it is still ours.
      const current = this.generation();
      const offsets = taken.filter((p) => p.generation === current).map((p) => p.offset);
      // `send` reports its own failures; one that throws anyway must not strand the rest.
      if (offsets.length > 0) await this.send(offsets).catch(() => undefined);
      for (const p of taken) for (const resolve of p.done) resolve();
    }
    this.flushing = false;
  }
}
