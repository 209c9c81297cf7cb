import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { databaseConfig, httpConfig, kafkaConfig } from './configuration';
import { validateEnvironment } from './environment';

/** Environment variables only: no .env file is read, so what runs is what the orchestrator set. */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: validateEnvironment,
      load: [kafkaConfig, databaseConfig, httpConfig],
    }),
  ],
})
export class AppConfigModule {}
