// C: the naive baseline. A stock Nest @EventPattern handler with default transport options,
// class-validator through ValidationPipe, and repository.save() per message.
import 'reflect-metadata';
import { Controller, Module, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  Ctx,
  EventPattern,
  KafkaContext,
  MicroserviceOptions,
  Payload,
  Transport,
} from '@nestjs/microservices';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { buildAlert } from '../../src/alerts/alert.builder';
import { Alert } from '../../src/alerts/alert.entity';
import { LogEvent } from '../../src/ingest/log-event.dto';
import { messageRef } from '../../src/ingest/message-ref';
import { RulesModule } from '../../src/rules/rules.module';
import { RulesService } from '../../src/rules/rules.service';

const topic = process.env.BENCH_TOPIC!;

@Controller()
class NaiveController {
  constructor(
    @InjectRepository(Alert) private readonly alerts: Repository<Alert>,
    private readonly rules: RulesService,
  ) {}

  @EventPattern(topic)
  async handle(
    @Payload(new ValidationPipe({ transform: true })) event: LogEvent,
    @Ctx() ctx: KafkaContext,
  ) {
    const ref = messageRef(ctx, event.request_id);
    const match = this.rules.evaluate(event, ref);
    if (match) await this.alerts.save(buildAlert(event, match.candidate, ref));
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({ type: 'postgres', url: process.env.DATABASE_URL, entities: [Alert] }),
    TypeOrmModule.forFeature([Alert]),
    RulesModule,
  ],
  controllers: [NaiveController],
})
class NaiveModule {}

async function main() {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(NaiveModule, {
    transport: Transport.KAFKA,
    logger: ['error'],
    options: {
      client: { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') },
      consumer: { groupId: process.env.BENCH_GROUP! },
      subscribe: { fromBeginning: true },
    },
  });
  app.enableShutdownHooks();
  await app.listen();
}

void main();
