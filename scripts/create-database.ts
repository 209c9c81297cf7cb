// Creates the database named in DATABASE_URL if it does not exist (connecting to "postgres").
import { Client } from 'pg';
import { redactSecrets } from '../src/config/redact';

async function main(): Promise<void> {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/stacklens');
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new Error(`unsupported database name "${name}"`);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`);
      console.error(`[postgres] created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

main().catch((err: Error) => {
  console.error(`[postgres] ${redactSecrets(err.message)}`);
  process.exit(1);
});
