import { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';

/**
 * The HTTP port serves probes, metrics and the alerts API: short timeouts so a slow or idle
 * client cannot hold sockets, and no framework banner.
 */
export function hardenHttpServer(app: INestApplication): void {
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  const server = app.getHttpServer() as Server;
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
}
