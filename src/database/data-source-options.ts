import { DataSourceOptions } from 'typeorm';
import { Alert } from '../alerts/alert.entity';
import { migrations } from '../../migrations';
import { DatabaseConfig } from '../config/configuration';

/** One definition for the service and the migration CLI, so the two cannot drift. */
export function dataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.url,
    entities: [Alert],
    migrations,
    migrationsRun: config.runMigrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    extra: {
      max: config.poolSize,
      // Fail fast on a dead server so the writer's retry loop (not a hung socket) decides what happens.
      connectionTimeoutMillis: 5_000,
      query_timeout: 30_000,
      keepAlive: true,
      application_name: 'stacklens-consumer',
    },
  };
}
