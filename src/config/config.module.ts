import { Module } from '@nestjs/common';
import { ConfigModule, ConfigModuleOptions } from '@nestjs/config';
import { loadAppConfig } from './app-config';
import {
  alertsConfig,
  apiConfig,
  databaseConfig,
  httpConfig,
  jiraConfig,
  kafkaConfig,
  processingConfig,
} from './configuration';

/**
 * Environment variables only: no .env file is read, so what runs is what the orchestrator set.
 * validate fills loadAppConfig's cache, which every namespace then reads without validating again;
 * it returns the environment untouched because Nest copies what it returns into process.env.
 */
export const configModuleOptions: ConfigModuleOptions = {
  isGlobal: true,
  ignoreEnvFile: true,
  validate: (raw) => {
    loadAppConfig(raw);
    return raw;
  },
  load: [
    kafkaConfig,
    databaseConfig,
    httpConfig,
    processingConfig,
    alertsConfig,
    apiConfig,
    jiraConfig,
  ],
};

@Module({ imports: [ConfigModule.forRoot(configModuleOptions)] })
export class AppConfigModule {}
