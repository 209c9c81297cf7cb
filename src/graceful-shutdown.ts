import { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { redactSecrets } from './config/redact';

/** Below the usual 30 s grace period of orchestrators, so we exit before they SIGKILL. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * SIGTERM/SIGINT -> app.close(): stop HTTP, let the in-flight batch finish and commit, leave the
 * group, then close Postgres; exit 0. Nest's enableShutdownHooks would re-raise the signal
 * instead, which orchestrators report as a crash (exit 143). The returned function does the same
 * for other reasons (an unrecoverable consumer crash exits 1).
 */
export function closeOnSignals(
  app: INestApplication,
  logger: Logger,
): (reason: string, exitCode: number) => void {
  let closing = false;
  const shutdown = (reason: string, exitCode: number) => {
    if (closing) return;
    closing = true;
    logger.log({ msg: 'shutting down', reason });
    const deadline = setTimeout(() => {
      logger.error({
        msg: 'shutdown took too long; exiting with work uncommitted',
        timeout_ms: SHUTDOWN_TIMEOUT_MS,
      });
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    app.close().then(
      () => process.exit(exitCode),
      (err: Error) => {
        logger.error({ msg: 'shutdown failed', error: redactSecrets(err.message) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM', 0));
  process.once('SIGINT', () => shutdown('SIGINT', 0));
  return shutdown;
}
