import { readFileSync } from 'node:fs';
import {
  ConsumerConfig,
  KafkaConfig as KafkaJsConfig,
  logLevel,
  Partitioners,
  ProducerConfig,
  SASLOptions,
} from 'kafkajs';
import { KafkaConfig } from '../config/configuration';

/**
 * kafkajs' retries, set on purpose. kafka.consumer({ retry }) replaces the client-level retry
 * (kafkajs defaults it to 5 retries), so each is given explicitly. They cover broker and network
 * errors only: our batch handler never throws for a processing failure (its own policy handles
 * those), so running out of these means the broker is unreachable; see CRASH_RESTARTS for what
 * happens then.
 */
export const CLIENT_RETRY = { initialRetryTime: 300, retries: 10, maxRetryTime: 30_000 };
export const CONSUMER_RETRY = CLIENT_RETRY;

/**
 * After kafkajs crashes the consumer (its retries ran out) it may restart it: at most this many
 * times within the window, then the pod exits 1 and the orchestrator's restart count shows it.
 */
export const CRASH_RESTARTS = { max: 5, windowMs: 10 * 60_000 };
/** Dead letters: fail within seconds and let our own loop decide, rather than block inside one send. */
export const PRODUCER_RETRY = { initialRetryTime: 300, retries: 5, maxRetryTime: 5_000 };

/**
 * How long one fetch waits for data on an idle partition. kafkajs' disconnect waits for the
 * fetch in flight, so this is also how long an idle pod takes to leave its group on SIGTERM
 * (5 s with kafkajs' default).
 */
export const FETCH_MAX_WAIT_MS = 250;

export function clientOptions(config: KafkaConfig): KafkaJsConfig {
  return {
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    retry: CLIENT_RETRY,
    ...kafkaSecurity(config),
  };
}

export function consumerOptions(
  config: KafkaConfig,
  restartOnFailure: (error: Error) => Promise<boolean>,
): ConsumerConfig {
  return {
    groupId: config.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    // Bounds the work in hand (and so memory): one fetch is at most ~6,000 typical events.
    maxBytes: 3 * 1024 * 1024,
    maxBytesPerPartition: 512 * 1024,
    retry: { ...CONSUMER_RETRY, restartOnFailure },
  };
}

export function producerOptions(): ProducerConfig {
  return {
    allowAutoTopicCreation: false,
    retry: PRODUCER_RETRY,
    createPartitioner: Partitioners.DefaultPartitioner,
  };
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
