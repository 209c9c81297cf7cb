import { readFileSync } from 'node:fs';
import { KafkaConfig as KafkaJsConfig, logLevel, Partitioners, SASLOptions } from 'kafkajs';
import { KafkaConfig } from '../config/configuration';
import { POS_LOGS } from '../ingest/ingest.controller';
import { BatchKafkaServer } from './batch-kafka.server';
import { ConsumerState } from './consumer-state';
import { InFlightBatches } from './in-flight-batches';

/** Builds the transport from configuration. Fresh option objects each call: Nest mutates them. */
export function createKafkaServer(
  config: KafkaConfig,
  state: ConsumerState,
  inFlight: InFlightBatches,
  onUnrecoverable?: (error: Error) => void,
): BatchKafkaServer {
  return new BatchKafkaServer(
    {
      routes: { [config.topic]: POS_LOGS },
      // Without this Nest appends "-server" to both ids.
      postfixId: '',
      client: {
        clientId: config.clientId,
        brokers: config.brokers,
        logLevel: logLevel.WARN,
        ...kafkaSecurity(config),
        retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 30_000 },
      },
      consumer: {
        groupId: config.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        // Bounds the work in hand (and so memory): one fetch is at most ~6,000 typical events.
        maxBytes: 3 * 1024 * 1024,
        maxBytesPerPartition: 512 * 1024,
      },
      producer: {
        allowAutoTopicCreation: false,
        // Dead letters: fail within seconds and let the consumer retry the batch (uncommitted),
        // rather than hold it for minutes inside one send.
        retry: { initialRetryTime: 300, retries: 5, maxRetryTime: 5_000 },
        createPartitioner: Partitioners.DefaultPartitioner,
      },
      subscribe: { fromBeginning: true },
      run: {
        partitionsConsumedConcurrently: config.partitionsConcurrency,
        // Commit after every batch the handlers finished, not at the end of the whole fetch.
        autoCommitThreshold: 1,
      },
    },
    state,
    inFlight,
    onUnrecoverable,
  );
}

/** TLS and SASL for every connection of the client (consumer, and the producer for dead letters). */
export function kafkaSecurity(config: KafkaConfig): Pick<KafkaJsConfig, 'ssl' | 'sasl'> {
  const ssl = config.ssl
    ? {
        rejectUnauthorized: config.ssl.rejectUnauthorized,
        ...(config.ssl.caFile ? { ca: [readFileSync(config.ssl.caFile, 'utf8')] } : {}),
      }
    : undefined;
  // kafkajs types SASL as a union per mechanism; ours is validated to be one of them.
  const sasl = (config.sasl ?? undefined) as SASLOptions | undefined;
  return { ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}
