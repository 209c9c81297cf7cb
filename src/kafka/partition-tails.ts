import { settleWithin } from '../common/settle-within';
import { partitionKey as key, retainAssignedKeys } from './partition-key';

/**
 * Fetch-ahead's bound: per partition, the one batch still being written while the next is
 * fetched. The next batch of that partition waits for it (backpressure, not buffering), so at
 * most two batches per partition are in memory and a partition's writes and commits stay in
 * offset order.
 */
export class PartitionTails {
  private readonly tails = new Map<string, Promise<Error | null>>();

  /** The batch now in hand for this partition; its failure is kept for the next caller. */
  hand(topic: string, partition: number, write: Promise<void>): void {
    this.tails.set(
      key(topic, partition),
      write.then(
        () => null,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      ),
    );
  }

  /** Waits until the partition's batch in hand is done; rethrows its failure, once. */
  async settle(topic: string, partition: number): Promise<void> {
    const k = key(topic, partition);
    const tail = this.tails.get(k);
    if (!tail) return;
    const failure = await tail;
    if (this.tails.get(k) === tail) this.tails.delete(k);
    if (failure) throw failure;
  }

  /**
   * After a (re)join: forget partitions this member no longer owns, so a failure kept for one is
   * not rethrown when it comes back much later. A write still running there ends on its own.
   */
  retainAssigned(assignment: Record<string, number[]>): void {
    retainAssignedKeys(this.tails, assignment);
  }

  /**
   * Waits for every batch in hand (shutdown, leaving the group), at most `limitMs`; failures are
   * not rethrown. Returns how many were still running at the limit.
   */
  async drain(limitMs: number): Promise<number> {
    const tails = [...this.tails.values()];
    this.tails.clear();
    return settleWithin(tails, limitMs);
  }
}
