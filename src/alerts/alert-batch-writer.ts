import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { setTimeout as sleep } from 'node:timers/promises';
import { Histogram } from 'prom-client';
import { Repository } from 'typeorm';
import { databaseConfig, DatabaseConfig } from '../config/configuration';
import { InvalidEventError, InvalidEventReason } from '../ingest/invalid-event.error';
import { DB_WRITE_SECONDS } from '../metrics/metric-names';
import { INSERT_ALERTS_SQL, insertParameter } from './alert-insert.sql';
import { Alert } from './alert.entity';
import { describeDatabaseError, isPermanentDatabaseError } from './database-errors';

interface Pending {
  alert: Alert;
  resolve: (created: boolean) => void;
  reject: (err: unknown) => void;
}

const RETRY_BASE_MS = 100;
/** Leaves pool connections free for readiness pings and for other work. */
const MAX_CONCURRENT_FLUSHES = 4;

/**
 * Collects the alerts that concurrent message handlers want stored and writes them as one
 * INSERT ... ON CONFLICT DO NOTHING per micro-batch. A transient failure is retried with capped,
 * jittered backoff for as long as it takes (the caller's offsets stay uncommitted meanwhile);
 * a row Postgres can never accept is isolated and rejected so that it alone is dead-lettered.
 */
@Injectable()
export class AlertBatchWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertBatchWriter.name);
  private readonly shutdown = new AbortController();
  private pending: Pending[] = [];
  private scheduled = false;
  private flushing = 0;
  private outageSince: number | null = null;

  constructor(
    @InjectRepository(Alert) private readonly repository: Repository<Alert>,
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
    @InjectMetric(DB_WRITE_SECONDS) private readonly writeSeconds: Histogram<string>,
  ) {}

  /** Resolves true when the alert was inserted, false when an alert for that event already existed. */
  write(alert: Alert): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ alert, resolve, reject });
      this.schedule();
    });
  }

  /** Nest calls this before it disconnects the consumer: stop waiting out outages so shutdown is prompt. */
  beforeApplicationShutdown(): void {
    this.shutdown.abort();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate: every handler of the current Kafka batch enqueues first, then one INSERT.
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.pending.length > 0 && this.flushing < MAX_CONCURRENT_FLUSHES) {
      const chunk = this.pending.splice(0, this.config.writeBatchSize);
      this.flushing++;
      void this.flush(chunk).finally(() => {
        this.flushing--;
        this.drain();
      });
    }
  }

  private async flush(chunk: Pending[]): Promise<void> {
    try {
      const created = await this.insertWithRetry(chunk.map((p) => p.alert));
      // Two copies of one event in a chunk get one returned key: only the first is "created".
      for (const p of chunk) p.resolve(created.delete(p.alert.eventKey));
    } catch (err) {
      if (!isPermanentDatabaseError(err)) {
        for (const p of chunk) p.reject(err);
        return;
      }
      // One bad row fails the whole statement; find it by writing the rows one at a time.
      for (const p of chunk) {
        try {
          const created = await this.insertWithRetry([p.alert]);
          p.resolve(created.has(p.alert.eventKey));
        } catch (rowErr) {
          p.reject(
            isPermanentDatabaseError(rowErr)
              ? new InvalidEventError(
                  InvalidEventReason.UNSTORABLE,
                  describeDatabaseError(rowErr).error,
                )
              : rowErr,
          );
        }
      }
    }
  }

  /** Returns the event keys that were new. Throws only permanent errors, or on shutdown. */
  private async insertWithRetry(alerts: Alert[]): Promise<Set<string>> {
    for (let attempt = 0; ; attempt++) {
      const stopTimer = this.writeSeconds.startTimer();
      try {
        const rows = await this.repository.query<Array<{ event_key: string }>>(INSERT_ALERTS_SQL, [
          insertParameter(alerts),
        ]);
        stopTimer();
        this.endOutage();
        return new Set(rows.map((row) => row.event_key));
      } catch (err) {
        stopTimer();
        if (isPermanentDatabaseError(err) || this.shutdown.signal.aborted) throw err;
        this.startOutage(err);
        const cap = Math.min(this.config.retryMaxMs, RETRY_BASE_MS * 2 ** Math.min(attempt, 20));
        // Full jitter: instances that lost the database together do not return in lockstep.
        await sleep(Math.random() * cap, undefined, { signal: this.shutdown.signal }).catch(() => {
          throw err;
        });
      }
    }
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
    this.logger.log({
      msg: 'alert writes recovered',
      outage_ms: Date.now() - this.outageSince,
    });
    this.outageSince = null;
  }
}
