const key = (topic: string, partition: number) => `${topic}|${partition}`;

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

  /** Waits for every batch in hand (shutdown, leaving the group); failures are not rethrown. */
  async drain(): Promise<void> {
    await Promise.all(this.tails.values());
    this.tails.clear();
  }
}
