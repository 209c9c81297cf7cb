import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { httpConfig, HttpConfig, kafkaConfig, KafkaConfig } from './config/configuration';
import { InvalidConfigError, validateEnvironment } from './config/environment';
import { redactSecrets } from './config/redact';
import { closeOnSignals } from './graceful-shutdown';
import { hardenHttpServer } from './health/http-server';
import { ConsumerState } from './kafka/consumer-state';
import { InFlightBatches } from './kafka/in-flight-batches';
import { createKafkaServer } from './kafka/kafka-server.factory';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const shutdown = closeOnSignals(app, logger);

  const kafka = app.get<KafkaConfig>(kafkaConfig.KEY);
  const http = app.get<HttpConfig>(httpConfig.KEY);

  app.connectMicroservice(
    {
      strategy: createKafkaServer(kafka, app.get(ConsumerState), app.get(InFlightBatches), () =>
        shutdown('consumer-crash', 1),
      ),
    },
    { inheritAppConfig: true },
  );
  hardenHttpServer(app);
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
    JSON.stringify({ level: 'fatal', msg: 'failed to start', error: redactSecrets(err.message) }) +
      '\n',
  );
  process.exit(1);
});
