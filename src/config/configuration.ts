import { registerAs } from '@nestjs/config';
import { DatabaseConfig, loadAppConfig } from './app-config';

export type {
  AlertsConfig,
  ApiConfig,
  AppConfig,
  DatabaseConfig,
  HttpConfig,
  JiraConfig,
  JiraCredentials,
  KafkaConfig,
  ProcessingConfig,
} from './app-config';
export type { ApiRole, ApiToken } from './api-tokens';
export { loadAppConfig } from './app-config';
export { unknownVariableWarnings } from './unknown-variables';

/**
 * Typed views of the one validated AppConfig, one per concern; read with
 * getOrThrow(..., { infer: true }) or inject with @Inject(kafkaConfig.KEY).
 */
export const kafkaConfig = registerAs('kafka', () => loadAppConfig().kafka);
export const databaseConfig = registerAs('database', () => loadAppConfig().database);
export const httpConfig = registerAs('http', () => loadAppConfig().http);
export const processingConfig = registerAs('processing', () => loadAppConfig().processing);
export const alertsConfig = registerAs('alerts', () => loadAppConfig().alerts);
export const apiConfig = registerAs('api', () => loadAppConfig().api);
export const jiraConfig = registerAs('jira', () => loadAppConfig().jira);

/** The database settings from any environment-like object (the migration CLI, tests, bench). */
export function databaseConfigFrom(raw: Record<string, unknown>): DatabaseConfig {
  return loadAppConfig(raw).database;
}
