import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  databaseConfig,
  DatabaseConfig,
  kafkaConfig,
  KafkaConfig,
  processingConfig,
  ProcessingConfig,
} from '../config/configuration';
import { databaseAnswers } from '../database/database-probe';
import { POS_LOGS } from '../events/inbound-batch';
import { CommitTimer } from './commit-timer';
import { ConsumerState } from './consumer-state';
import { InFlightBatches } from './in-flight-batches';
import { KafkaBatchTransport } from './kafka-batch.transport';

/** Builds the transport from the app's configuration and providers. */
export function createKafkaTransport(
  app: INestApplication,
  onUnrecoverable: (error: Error) => void,
): KafkaBatchTransport {
  const kafka = app.get<KafkaConfig>(kafkaConfig.KEY);
  const database = app.get<DatabaseConfig>(databaseConfig.KEY);
  const dataSource = app.get(DataSource);
  return new KafkaBatchTransport(
    {
      kafka,
      processing: app.get<ProcessingConfig>(processingConfig.KEY),
      routes: { [kafka.topic]: POS_LOGS },
      dependenciesReachable: () => databaseAnswers(dataSource, database.readinessTimeoutMs),
      onUnrecoverable,
    },
    app.get(ConsumerState),
    app.get(InFlightBatches),
    app.get(CommitTimer),
  );
}
