import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KafkaModule } from '../kafka/kafka.module';
import { HealthController } from './health.controller';
import { KafkaConsumerHealthIndicator } from './kafka-consumer.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), KafkaModule],
  controllers: [HealthController],
  providers: [KafkaConsumerHealthIndicator],
})
export class HealthModule {}
