import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { httpConfig, HttpConfig } from '../config/configuration';

const PROBES = new Set(['/health', '/readiness', '/metrics']);

/** JSON lines on stdout (pino). Probe requests are not logged: orchestrators send them every few seconds. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [httpConfig.KEY],
      useFactory: (config: HttpConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          autoLogging: { ignore: (req) => PROBES.has(req.url ?? '') },
          redact: ['req.headers.authorization', 'req.headers.cookie'],
          base: { service: 'stacklens-consumer' },
          formatters: { level: (label: string) => ({ level: label }) },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
