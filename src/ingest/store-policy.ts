import { Logger } from '@nestjs/common';
import { backoff, unlessAborted } from '../common/backoff';
import {
  classifyDatabaseError,
  describeDatabaseError,
  isLostRace,
} from '../alerts/database-errors';
import { MergedWriteError } from '../alerts/group-commit';
import { InvalidEventReason } from './invalid-event.error';

/** An item the policy gave up on, with the dead-letter reason. */
export interface Unstored<T> {
  item: T;
  reason: InvalidEventReason;
  error: string;
}

export interface StorePolicyOptions {
  /** Attempts of a whole batch failing with an unclassified error before going message by message. */
  maxAttempts: number;
  retryCapMs: number;
  onFailure: (cls: string) => void;
}

/**
 * The failure policy of the write path (README, "When things fail"):
 * - transient errors are retried with backoff for as long as the batch is ours (the signal ends
 *   it: shutdown, or the stall watchdog moving the partitions away);
 * - a data error is narrowed down to its message, which is dead-lettered as UNSTORABLE;
 * - an unclassified error (a bug) is retried maxAttempts times, then message by message, so good
 *   neighbours are still stored and only what still fails is dead-lettered as PROCESSING_FAILED.
 */
export class StorePolicy {
  private readonly logger = new Logger(StorePolicy.name);
  private outageSince: number | null = null;

  constructor(private readonly options: StorePolicyOptions) {}

  /** Stores the items; returns the ones that must be dead-lettered instead. */
  async store<T>(
    items: T[],
    write: (items: T[]) => Promise<unknown>,
    signal: AbortSignal,
  ): Promise<Array<Unstored<T>>> {
    let unknownFailures = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        await unlessAborted(write(items), signal);
        this.endOutage();
        return [];
      } catch (err) {
        if (signal.aborted) throw err;
        const cls = classifyDatabaseError(err);
        // A shared write's failure is not this batch's: it retries alone at once and meters its
        // own failure, if any. Lost races and deadlocks are metered apart from outages: a rise is
        // a regression to see.
        if (!(err instanceof MergedWriteError))
          this.options.onFailure(isLostRace(err) ? 'race' : cls);
        this.logger.debug({
          msg: 'batch write failed',
          class: cls,
          attempt,
          ...describeDatabaseError(err),
        });
        if (cls === 'data' || items.length === 1) return this.oneByOne(items, write, signal);
        if (cls === 'unknown' && ++unknownFailures >= this.options.maxAttempts) {
          this.logger.error({
            msg: 'batch keeps failing with an unclassified error; retrying message by message',
            attempts: unknownFailures,
            ...describeDatabaseError(err),
          });
          return this.oneByOne(items, write, signal);
        }
        // A lost race is settled by the next try (it sees the winner's row): no outage, short waits.
        if (isLostRace(err)) {
          await backoff(Math.min(attempt, 3), this.options.retryCapMs, signal);
          continue;
        }
        if (cls === 'transient') this.startOutage(err);
        await backoff(attempt, this.options.retryCapMs, signal);
      }
    }
  }

  private async oneByOne<T>(
    items: T[],
    write: (items: T[]) => Promise<unknown>,
    signal: AbortSignal,
  ): Promise<Array<Unstored<T>>> {
    const dead: Array<Unstored<T>> = [];
    for (const item of items) {
      for (let attempt = 0, unknownFailures = 0; ; attempt++) {
        try {
          await unlessAborted(write([item]), signal);
          this.endOutage();
          break;
        } catch (err) {
          if (signal.aborted) throw err;
          const cls = classifyDatabaseError(err);
          if (cls === 'transient') {
            if (!isLostRace(err)) this.startOutage(err);
            await backoff(attempt, this.options.retryCapMs, signal);
            continue;
          }
          if (cls === 'unknown' && ++unknownFailures < this.options.maxAttempts) continue;
          dead.push({
            item,
            reason:
              cls === 'data' ? InvalidEventReason.UNSTORABLE : InvalidEventReason.PROCESSING_FAILED,
            error: describeDatabaseError(err).error,
          });
          break;
        }
      }
    }
    return dead;
  }

  private startOutage(err: unknown): void {
    if (this.outageSince !== null) return;
    this.outageSince = Date.now();
    this.logger.error({
      msg: 'alert writes failing; retrying with backoff, offsets are held until they succeed',
      ...describeDatabaseError(err),
    });
  }

  private endOutage(): void {
    if (this.outageSince === null) return;
    this.logger.log({ msg: 'alert writes recovered', outage_ms: Date.now() - this.outageSince });
    this.outageSince = null;
  }
}
