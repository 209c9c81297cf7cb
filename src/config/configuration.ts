import { ConfigType, registerAs } from '@nestjs/config';
import { validateEnvironment } from './environment';

/** Typed views of the validated environment, one per concern; read with getOrThrow(..., { infer: true }). */
export const kafkaConfig = registerAs('kafka', () => {
  const env = validateEnvironment(process.env);
  return {
    brokers: env.KAFKA_BROKERS.split(','),
    clientId: env.KAFKA_CLIENT_ID,
    groupId: env.KAFKA_GROUP_ID,
    topic: env.KAFKA_TOPIC,
    deadLetterTopic: env.KAFKA_DLQ_TOPIC,
    maxMessageBytes: env.KAFKA_MAX_MESSAGE_BYTES,
    partitionsConcurrency: env.KAFKA_PARTITIONS_CONCURRENCY,
    ssl: env.KAFKA_SSL
      ? { caFile: env.KAFKA_SSL_CA_FILE, rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED }
      : null,
    sasl: env.KAFKA_SASL_MECHANISM
      ? {
          mechanism: env.KAFKA_SASL_MECHANISM as 'plain' | 'scram-sha-256' | 'scram-sha-512',
          username: env.KAFKA_SASL_USERNAME!,
          password: env.KAFKA_SASL_PASSWORD!,
        }
      : null,
  };
});

/** The database settings from any environment-like object (the migration CLI, tests, bench). */
export function databaseConfigFrom(raw: Record<string, unknown>) {
  const env = validateEnvironment(raw);
  return {
    url: env.DATABASE_URL,
    poolSize: env.DATABASE_POOL_SIZE,
    writeBatchSize: env.DATABASE_WRITE_BATCH_SIZE,
    retryMaxMs: env.DATABASE_RETRY_MAX_MS,
    runMigrations: env.RUN_MIGRATIONS,
    readinessTimeoutMs: env.READINESS_DB_TIMEOUT_MS,
    sslMode: env.DATABASE_SSL_MODE as 'disable' | 'require' | 'verify-ca' | 'verify-full',
    sslCaFile: env.DATABASE_SSL_CA_FILE,
    rawLogMaxBytes: env.RAW_LOG_MAX_BYTES,
  };
}

export const databaseConfig = registerAs('database', () => databaseConfigFrom(process.env));

export const httpConfig = registerAs('http', () => {
  const env = validateEnvironment(process.env);
  return { host: env.HTTP_HOST, port: env.HTTP_PORT, logLevel: env.LOG_LEVEL };
});

export type KafkaConfig = ConfigType<typeof kafkaConfig>;
export type DatabaseConfig = ConfigType<typeof databaseConfig>;
export type HttpConfig = ConfigType<typeof httpConfig>;
