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
  DB_WRITE_SECONDS,
  MESSAGES_CONSUMED,
  MESSAGES_DEAD_LETTERED,
  OLDEST_BATCH_SECONDS,
} from './metric-names';

const metrics = [
  makeCounterProvider({
    name: MESSAGES_CONSUMED,
    help: 'Kafka messages handled to completion (alerted, no match or dead-lettered)',
    labelNames: ['topic', 'outcome'],
  }),
  makeCounterProvider({
    name: ALERTS_CREATED,
    help: 'Alerts inserted into Postgres',
    labelNames: ['issue_code', 'severity'],
  }),
  makeCounterProvider({
    name: ALERTS_DUPLICATE,
    help: 'Alert-worthy messages whose alert already existed (redelivery or re-publish)',
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
    help: 'Duration of one alert INSERT statement (a micro-batch), including failed attempts',
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
