import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { httpConfig, HttpConfig, kafkaConfig, KafkaConfig } from './config/configuration';
import { InvalidConfigError, validateEnvironment } from './config/environment';
import { redactSecrets } from './config/redact';
import { hardenHttpServer } from './health/http-server';
import { ConsumerState } from './kafka/consumer-state';
import { createKafkaServer } from './kafka/kafka-server.factory';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  closeOnSignals(app, logger);

  const kafka = app.get<KafkaConfig>(kafkaConfig.KEY);
  const http = app.get<HttpConfig>(httpConfig.KEY);

  app.connectMicroservice(
    { strategy: createKafkaServer(kafka, app.get(ConsumerState)) },
    { inheritAppConfig: true },
  );
  hardenHttpServer(app);
  // HTTP first: probes must answer (readiness: 503) while the consumer is still joining.
  await app.listen(http.port, http.host);
  await app.startAllMicroservices();
}

/**
 * SIGTERM/SIGINT -> app.close(): stop HTTP, let the in-flight batch finish and commit, leave the
 * group, then close Postgres; exit 0. Nest's enableShutdownHooks would re-raise the signal
 * instead, which orchestrators report as a crash (exit 143).
 */
function closeOnSignals(app: INestApplication, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.log({ msg: 'shutting down', signal });
    const deadline = setTimeout(() => {
      logger.error({
        msg: 'shutdown took too long; exiting with work uncommitted',
        timeout_ms: SHUTDOWN_TIMEOUT_MS,
      });
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error({ msg: 'shutdown failed', error: redactSecrets(err.message) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Below the usual 30 s grace period of orchestrators, so we exit before they SIGKILL. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

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
