import { INestApplication, LoggerService, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { AlertsApiModule } from '../../src/api/alerts-api.module';
import { setupHttpApi } from '../../src/api/setup-http-api';
import { AppConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { testDatabaseUrl } from './infra';

export interface ApiApp {
  url(path: string): string;
  /** Everything Nest logged, one entry per call (to check that no secret was logged). */
  logs: string[];
  close(): Promise<void>;
}

/** Collects log calls instead of printing them. */
class CapturingLogger implements LoggerService {
  constructor(private readonly logs: string[]) {}
  log = (...args: unknown[]) => this.logs.push(JSON.stringify(args));
  error = (...args: unknown[]) => this.logs.push(JSON.stringify(args));
  warn = (...args: unknown[]) => this.logs.push(JSON.stringify(args));
  debug = (...args: unknown[]) => this.logs.push(JSON.stringify(args));
  verbose = (...args: unknown[]) => this.logs.push(JSON.stringify(args));
}

/**
 * The HTTP API in this process, on the run's test database, configured like the service: through
 * the environment (set before the modules are built, which is when the config is read).
 */
export async function startApiApp(
  env: Record<string, string>,
  extraModules: Type[] = [],
): Promise<ApiApp> {
  Object.assign(process.env, {
    DATABASE_URL: testDatabaseUrl(),
    RUN_MIGRATIONS: 'false',
    DATABASE_POOL_SIZE: '4',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppConfigModule, DatabaseModule, AlertsApiModule, ...extraModules],
  }).compile();
  const logs: string[] = [];
  const app: INestApplication = moduleRef.createNestApplication({
    logger: new CapturingLogger(logs),
  });
  setupHttpApi(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    logs,
    close: () => app.close(),
  };
}
