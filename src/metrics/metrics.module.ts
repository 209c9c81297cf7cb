import { Global, Module } from '@nestjs/common';
import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import {
  ALERTS_CREATED,
  ALERTS_DUPLICATE,
  ALERTS_FOLDED,
  ALERTS_REOPENED,
  DB_WRITE_FAILURES,
  DB_WRITE_SECONDS,
  DEAD_LETTER_FAILURES,
  MESSAGES_CONSUMED,
  MESSAGES_DEAD_LETTERED,
  OCCURRENCE_WRITES,
  OCCURRENCES_COUNTED,
  OFFSET_COMMIT_SECONDS,
  OLDEST_BATCH_SECONDS,
  PARTITIONS_PARKED,
  UNKNOWN_FIELDS,
} from './metric-names';

const metrics = [
  makeCounterProvider({
    name: MESSAGES_CONSUMED,
    help: 'Kafka messages handled to completion (alerted, no match or dead-lettered)',
    labelNames: ['topic', 'outcome'],
  }),
  makeCounterProvider({
    name: ALERTS_CREATED,
    help: 'New alerts opened (one per problem, not per event)',
    labelNames: ['issue_code', 'severity'],
  }),
  makeCounterProvider({
    name: ALERTS_REOPENED,
    help: 'Resolved alerts reopened by a new event within ALERT_REOPEN_WINDOW',
  }),
  makeCounterProvider({
    name: OCCURRENCES_COUNTED,
    help: 'Alert-worthy events counted as new occurrences',
  }),
  makeCounterProvider({
    name: ALERTS_DUPLICATE,
    help: 'Alert-worthy messages already counted (redelivery, re-publish or replay)',
  }),
  makeCounterProvider({
    name: ALERTS_FOLDED,
    help: 'Storm-guard trips: a detector opened ALERT_MAX_NEW_PER_MINUTE alerts in a minute and folds further new problems into its overflow alert',
    labelNames: ['detector'],
  }),
  makeCounterProvider({
    name: DB_WRITE_FAILURES,
    help: 'Failed alert writes by class (transient, data, unknown; race: lost to another batch or a deadlock, retried after a short wait; a failed shared write is not counted, its batches count their own retries)',
    labelNames: ['class'],
  }),
  makeCounterProvider({
    name: OCCURRENCE_WRITES,
    help: 'Batch writes by how their occurrences went in: copy (COPY, all new), copy_refused (COPY met a stored copy; rewritten with INSERT), insert (INSERT while copies are likely)',
    labelNames: ['method'],
  }),
  makeCounterProvider({
    name: DEAD_LETTER_FAILURES,
    help: 'Failed dead-letter sends by cause (too_large: cut and resent; unavailable: retried)',
    labelNames: ['cause'],
  }),
  makeGaugeProvider({
    name: PARTITIONS_PARKED,
    help: 'Partitions waiting for the dead-letter topic to take writes (their offsets are held)',
  }),
  makeCounterProvider({
    name: UNKNOWN_FIELDS,
    help: 'Top-level event fields outside the contract, kept in the event (label bounded to 50 names, then _other)',
    labelNames: ['field'],
  }),
  makeCounterProvider({
    name: MESSAGES_DEAD_LETTERED,
    help: 'Messages sent to the dead-letter topic',
    labelNames: ['reason'],
  }),
  makeGaugeProvider({
    name: OLDEST_BATCH_SECONDS,
    help: 'Age of the oldest Kafka batch not yet committed (0 when idle); grows while a partition is stuck',
  }),
  makeHistogramProvider({
    name: DB_WRITE_SECONDS,
    help: 'Duration of one batch write (occurrences and alert updates, one transaction), including failed attempts',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  makeHistogramProvider({
    name: OFFSET_COMMIT_SECONDS,
    help: 'Duration of one OffsetCommit request (every partition durable since the last), by outcome (ok, failed)',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
];

/** GET /metrics in Prometheus text format, plus the service's own counters. */
@Global()
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } })],
  providers: metrics,
  exports: metrics,
})
export class MetricsModule {}
