import 'reflect-metadata';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { HttpConfig, KafkaConfig } from './config/configuration';
import { InvalidConfigError, validateEnvironment } from './config/environment';
import { redactSecrets } from './config/redact';
import { ConsumerState } from './kafka/consumer-state';
import { createKafkaServer } from './kafka/kafka-server.factory';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // SIGTERM -> stop HTTP, drain and commit the in-flight batch, leave the group, then close Postgres.
  app.enableShutdownHooks();

  const config = app.get(ConfigService);
  const kafka = config.getOrThrow<KafkaConfig>('kafka', { infer: true });
  const http = config.getOrThrow<HttpConfig>('http', { infer: true });

  app.connectMicroservice(
    { strategy: createKafkaServer(kafka, app.get(ConsumerState)) },
    { inheritAppConfig: true },
  );
  // HTTP first: probes must answer (readiness: 503) while the consumer is still joining.
  await app.listen(http.port, http.host);
  await app.startAllMicroservices();
}

try {
  // Validate before Nest starts so a bad variable yields one clear line, not a stack trace.
  validateEnvironment(process.env);
} catch (err) {
  if (!(err instanceof InvalidConfigError)) throw err;
  process.stderr.write(
    JSON.stringify({ level: 'fatal', msg: 'invalid configuration', problems: err.problems }) + '\n',
  );
  process.exit(1);
}

bootstrap().catch((err: Error) => {
  process.stderr.write(
    JSON.stringify({ level: 'fatal', msg: 'failed to start', error: redactSecrets(err.message) }) + '\n',
  );
  process.exit(1);
});
