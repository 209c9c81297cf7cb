import { kafkaScript, POSTGRES_URL, TEST_DATABASE_ENV } from './infra';
import { stopJiraForRun } from './jira-global';
import { dropDatabase } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const url = process.env[TEST_DATABASE_ENV];
  if (url) {
    await dropDatabase(POSTGRES_URL, new URL(url).pathname.slice(1));
    delete process.env[TEST_DATABASE_ENV];
  }
  // Only stop what this run started: a developer's running broker stays up.
  if (process.env.STACKLENS_TEST_STARTED_KAFKA === '1') {
    kafkaScript('stop');
    delete process.env.STACKLENS_TEST_STARTED_KAFKA;
  }
  await stopJiraForRun();
}
