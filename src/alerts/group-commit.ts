/**
 * A merged write failed. Each batch in it retries on its own (a lost race to the policy: a short
 * backoff, no outage), so its own error, if any, is classified alone: one batch's bad row never
 * fails its neighbours.
 */
export class MergedWriteError extends Error {
  readonly race = true;
  constructor(override readonly cause: unknown) {
    super(`a shared write failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = MergedWriteError.name;
  }
}

interface Waiting<T, R> {
  items: T[];
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for the batches of different partitions. Every partition's batch counts on the
 * same hot alerts, so their transactions queued on those rows' locks and paid a commit each.
 * Here at most `maxInFlight` writes run at once; batches that arrive meanwhile wait and then go
 * together as one write, one transaction, one commit. Bounded: what waits is what the transport
 * already holds (one batch per partition).
 */
export class GroupCommit<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private running = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<R>,
    private readonly maxInFlight: number,
  ) {}

  submit(items: T[]): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running >= this.maxInFlight || this.waiting.length === 0) return;
    const group = this.waiting;
    this.waiting = [];
    this.running++;
    const items = group.length === 1 ? group[0].items : group.flatMap((g) => g.items);
    this.write(items)
      .then(
        (result) => group.forEach((g) => g.resolve(result)),
        (err: unknown) =>
          group.forEach((g) => g.reject(group.length === 1 ? err : new MergedWriteError(err))),
      )
      .finally(() => {
        this.running--;
        this.next();
      });
  }
}
