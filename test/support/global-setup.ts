import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { KAFKA_BROKERS, kafkaScript, POSTGRES_URL, ROOT, TEST_DATABASE_ENV } from './infra';
import { startJiraForRun } from './jira-global';
import { createMigratedDatabase } from './test-database';

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
  process.env[TEST_DATABASE_ENV] = await createMigratedDatabase(
    POSTGRES_URL,
    `stacklens_test_${process.pid}`,
  );
  // Last: a setup that fails earlier then has no WireMock to leave behind.
  await startJiraForRun();
}
