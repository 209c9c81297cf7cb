import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { databaseConfigFrom } from '../../src/config/configuration';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { migrations } from '../../migrations';

async function admin<T>(serverUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database on `serverUrl`, migrated exactly as the service would. Returns its URL. */
export async function createMigratedDatabase(serverUrl: string, name: string): Promise<string> {
  await admin(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = `${serverUrl}/${name}`;
  const dataSource = new DataSource(
    dataSourceOptions(databaseConfigFrom({ DATABASE_URL: url, RUN_MIGRATIONS: 'false' })),
  );
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  return url;
}

/**
 * A small pool on a spec's own database. pool.end() resolves before its sockets have closed, so
 * the DROP ... WITH (FORCE) that follows can terminate a connection still closing (57P01); the
 * pool re-emits that as 'error', which unhandled fails whichever suite is running then.
 */
export function scratchPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * A fresh database with only the first `count` migrations applied, for specs that run a later
 * migration against data of the older schema. Returns its URL.
 */
export async function createDatabaseMigratedTo(
  serverUrl: string,
  name: string,
  count: number,
): Promise<string> {
  await admin(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = `${serverUrl}/${name}`;
  const dataSource = new DataSource({
    ...dataSourceOptions(databaseConfigFrom({ DATABASE_URL: url, RUN_MIGRATIONS: 'false' })),
    migrations: migrations.slice(0, count),
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  return url;
}
