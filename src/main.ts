import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { setupHttpApi } from './api/setup-http-api';
import { AppModule } from './app.module';
import {
  httpConfig,
  HttpConfig,
  loadAppConfig,
  unknownVariableWarnings,
} from './config/configuration';
import { InvalidConfigError } from './config/environment';
import { redactSecrets } from './config/redact';
import { closeOnSignals } from './graceful-shutdown';
import { hardenHttpServer } from './health/http-server';
import { createKafkaTransport } from './kafka/kafka-transport.factory';

async function bootstrap(): Promise<void> {
  // rawBody: the Jira webhook verifies an HMAC of the exact bytes it was sent.
  const app = await NestFactory.create(AppModule, { bufferLogs: true, rawBody: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  for (const { variable, suggestion } of unknownVariableWarnings(process.env)) {
    logger.warn({ msg: 'unknown setting ignored', variable, did_you_mean: suggestion });
  }
  const shutdown = closeOnSignals(app, logger);
  const http = app.get<HttpConfig>(httpConfig.KEY);

  // The Kafka handler gets no HTTP pipes or filters: its errors are its own policy's business.
  app.connectMicroservice(
    { strategy: createKafkaTransport(app, () => shutdown('consumer-crash', 1)) },
    { inheritAppConfig: false },
  );
  setupHttpApi(app);
  hardenHttpServer(app);
  // HTTP first: probes must answer (readiness: 503) while the consumer is still joining.
  await app.listen(http.port, http.host);
  await app.startAllMicroservices();
}

try {
  // Validate before Nest starts so a bad variable yields one clear line, not a stack trace.
  loadAppConfig();
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
