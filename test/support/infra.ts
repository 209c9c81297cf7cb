import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
/** Server-level URL; each test run gets its own database on it. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const TEST_DATABASE_ENV = 'STACKLENS_TEST_DATABASE_URL';

/** The test database URL that global setup created and migrated. */
export function testDatabaseUrl(): string {
  const url = process.env[TEST_DATABASE_ENV];
  if (!url)
    throw new Error(
      `${TEST_DATABASE_ENV} is unset: run integration tests through jest's global setup`,
    );
  return url;
}

export function kafkaScript(command: 'start' | 'stop' | 'status'): boolean {
  try {
    execFileSync('bash', [join(ROOT, 'scripts/kafka/kafka.sh'), command], { stdio: 'inherit' });
    return true;
  } catch {
    return false;
  }
}
