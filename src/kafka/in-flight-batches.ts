import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { OLDEST_BATCH_SECONDS } from '../metrics/metric-names';

/**
 * Batches the transport has in hand, per topic-partition. Their age is the signal for a stuck
 * partition that readiness cannot see: the consumer is still in its group, but one batch keeps
 * failing (an unwritable dead-letter topic, a database that is down) and nothing is committed.
 */
@Injectable()
export class InFlightBatches {
  private readonly startedAt = new Map<string, number>();

  constructor(@InjectMetric(OLDEST_BATCH_SECONDS) gauge: Gauge<string>) {
    // Computed when scraped, so the age keeps growing while the batch is stuck.
    (gauge as Gauge<string> & { collect?: () => void }).collect = () =>
      gauge.set(this.oldestAgeMs() / 1000);
  }

  /** Returns the function that marks the batch done. A retried batch keeps its first start time. */
  start(topic: string, partition: number): () => void {
    const key = `${topic}:${partition}`;
    if (!this.startedAt.has(key)) this.startedAt.set(key, Date.now());
    return () => this.startedAt.delete(key);
  }

  /** On rebalance: a failed batch of a partition that moved away will not be retried here. */
  clear(): void {
    this.startedAt.clear();
  }

  oldestAgeMs(): number {
    let oldest = Date.now();
    for (const t of this.startedAt.values()) oldest = Math.min(oldest, t);
    return Date.now() - oldest;
  }
}
