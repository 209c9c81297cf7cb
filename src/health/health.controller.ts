import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { databaseConfig, DatabaseConfig } from '../config/configuration';
import { KafkaConsumerHealthIndicator } from './kafka-consumer.health';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly kafka: KafkaConsumerHealthIndicator,
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
  ) {}

  /** Liveness: the event loop answers. No dependency checks, so an outage never restarts the pod. */
  @Get('health')
  @HealthCheck()
  liveness() {
    return this.health.check([]);
  }

  /** Readiness: 503 unless the consumer is in its group and Postgres answers in time. */
  @Get('readiness')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => this.kafka.isInGroup('kafka'),
      () => this.db.pingCheck('database', { timeout: this.config.readinessTimeoutMs }),
    ]);
  }
}
