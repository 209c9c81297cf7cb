import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { DataSourceOptions } from 'typeorm';
import { AlertActivity } from '../alerts/alert-activity.entity';
import { AlertOccurrence } from '../alerts/alert-occurrence.entity';
import { Alert } from '../alerts/alert.entity';
import { migrations } from '../../migrations';
import { DatabaseConfig } from '../config/configuration';

const CLIENT_TIMEOUT_MARGIN_MS = 2_000;

/** One definition for the service and the migration CLI, so the two cannot drift. */
export function dataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.url,
    entities: [Alert, AlertOccurrence, AlertActivity],
    migrations,
    migrationsRun: config.runMigrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Not 'error': TypeORM would log each failed query with its parameters, which for a batch
    // write is megabytes of events per retry. Failures are logged once, classified, by the caller.
    logging: ['warn', 'migration'],
    extra: {
      max: config.poolSize,
      // Fail fast on a dead server so the writer's retry loop (not a hung socket) decides what happens.
      connectionTimeoutMillis: 5_000,
      // The server cancels a statement past DATABASE_QUERY_TIMEOUT_MS (57014: its transaction
      // aborts cleanly). The client-side timeout, a little longer, covers a black-holed
      // connection that never answers; both stay below the 25 s shutdown deadline.
      statement_timeout: config.queryTimeoutMs,
      query_timeout: config.queryTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
      keepAlive: true,
      application_name: 'stacklens-consumer',
      ssl: postgresSsl(config),
    },
  };
}

/** libpq's sslmode semantics on node-postgres' ssl option. */
export function postgresSsl(config: DatabaseConfig): false | ConnectionOptions {
  if (config.sslMode === 'disable') return false;
  const ca = config.sslCaFile ? { ca: readFileSync(config.sslCaFile, 'utf8') } : {};
  if (config.sslMode === 'require') return { rejectUnauthorized: false, ...ca };
  if (config.sslMode === 'verify-ca') {
    // Chain checked, host name not: the certificate may name another host of the same cluster.
    return { rejectUnauthorized: true, checkServerIdentity: () => undefined, ...ca };
  }
  return { rejectUnauthorized: true, ...ca };
}
