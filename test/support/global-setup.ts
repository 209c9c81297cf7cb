import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { databaseConfigFrom } from '../../src/config/configuration';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { KAFKA_BROKERS, kafkaScript, POSTGRES_URL, ROOT, TEST_DATABASE_ENV } from './infra';

/**
 * Brings up what the integration specs need through the project's own scripts (a no-op when
 * .ci/run or `npm run infra:up` already did), then creates and migrates a database for this run.
 */
export default async function globalSetup(): Promise<void> {
  // Integration and fault projects share one setup per run.
  if (process.env[TEST_DATABASE_ENV]) return;
  process.stderr.write('\n');
  const defaultBroker = KAFKA_BROKERS === '127.0.0.1:9092';
  if (defaultBroker && !kafkaScript('status')) {
    if (!kafkaScript('start')) throw new Error('could not start Kafka with scripts/kafka/kafka.sh');
    process.env.STACKLENS_TEST_STARTED_KAFKA = '1';
  }
  execFileSync('bash', [join(ROOT, 'scripts/postgres.sh')], {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: `${POSTGRES_URL}/postgres` },
  });

  const name = `stacklens_test_${process.pid}`;
  const admin = new Client({ connectionString: `${POSTGRES_URL}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = `${POSTGRES_URL}/${name}`;
  const dataSource = new DataSource(
    dataSourceOptions(databaseConfigFrom({ DATABASE_URL: url, RUN_MIGRATIONS: 'false' })),
  );
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  process.env[TEST_DATABASE_ENV] = url;
}
