import { Inject, Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { AlertsService } from '../alerts/alerts.service';
import { OccurrenceInput } from '../alerts/occurrence-input';
import {
  databaseConfig,
  DatabaseConfig,
  processingConfig,
  ProcessingConfig,
} from '../config/configuration';
import { DB_WRITE_FAILURES, MESSAGES_CONSUMED } from '../metrics/metric-names';
import { RulesService } from '../rules/rules.service';
import { DeadLetter } from './dead-letter';
import { DeadLetterService } from './dead-letter.service';
import { DecodedBatch, DecodedEvent } from './decoded-batch';
import { StorePolicy } from './store-policy';

type Item = OccurrenceInput & { decoded: DecodedEvent };

/**
 * One partition's batch, start to durable: rules, then the alert write under the failure policy,
 * then the dead letters. Resolves only when every message of the batch has its outcome stored
 * (an occurrence, a dead letter, or nothing to do); the transport then commits the batch.
 */
@Injectable()
export class IngestService {
  private readonly policy: StorePolicy;

  constructor(
    private readonly rules: RulesService,
    private readonly alerts: AlertsService,
    private readonly deadLetters: DeadLetterService,
    @Inject(processingConfig.KEY) processing: ProcessingConfig,
    @Inject(databaseConfig.KEY) database: DatabaseConfig,
    @InjectMetric(MESSAGES_CONSUMED) private readonly consumed: Counter<string>,
    @InjectMetric(DB_WRITE_FAILURES) failures: Counter<string>,
  ) {
    this.policy = new StorePolicy({
      maxAttempts: processing.maxAttempts,
      retryCapMs: database.retryMaxMs,
      onFailure: (cls) => failures.inc({ class: cls }),
    });
  }

  async process(batch: DecodedBatch, signal: AbortSignal): Promise<void> {
    const items: Item[] = [];
    for (const decoded of batch.valid) {
      const match = this.rules.evaluate(decoded.event, decoded.ref);
      if (!match) continue;
      const raw = decoded.message.value ?? undefined;
      const { event, ref } = decoded;
      items.push({ event, ref, receivedBytes: raw?.length ?? 0, raw, match, decoded });
    }
    // Only the first attempt shares a transaction with other partitions' batches: a retry, or
    // the one-by-one search for a bad row, runs alone (see GroupCommit).
    let first = true;
    const write = (some: OccurrenceInput[]) => {
      const share = first;
      first = false;
      return this.alerts.record(some, share);
    };
    const unstored = items.length ? await this.policy.store(items, write, signal) : [];
    const letters: DeadLetter[] = [
      ...batch.rejected,
      ...unstored.map(({ item, reason, error }) => ({
        message: item.decoded.message,
        ref: item.ref,
        reason,
        error,
      })),
    ];
    await this.deadLetters.publish(letters, signal);

    const topic = batch.topic;
    const alerted = items.length - unstored.length;
    if (alerted > 0) this.consumed.inc({ topic, outcome: 'alerted' }, alerted);
    const noMatch = batch.valid.length - items.length;
    if (noMatch > 0) this.consumed.inc({ topic, outcome: 'no_match' }, noMatch);
    if (letters.length > 0) this.consumed.inc({ topic, outcome: 'dead_lettered' }, letters.length);
  }
}
