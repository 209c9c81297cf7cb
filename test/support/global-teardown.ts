import { Client } from 'pg';
import { kafkaScript, POSTGRES_URL, TEST_DATABASE_ENV } from './infra';

export default async function globalTeardown(): Promise<void> {
  const url = process.env[TEST_DATABASE_ENV];
  if (url) {
    const admin = new Client({ connectionString: `${POSTGRES_URL}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
    await admin.end();
  }
  // Only stop what this run started: a developer's running broker stays up.
  if (process.env.STACKLENS_TEST_STARTED_KAFKA === '1') kafkaScript('stop');
}
