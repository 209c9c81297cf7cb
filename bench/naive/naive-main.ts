// C: the naive baseline. A stock Nest @EventPattern handler with default transport options,
// class-validator through ValidationPipe, and per message: save() of the occurrence, then the
// alert looked up by fingerprint and save()d (new, or with its counters bumped). A message that
// fails validation is sent to the dead-letter topic by an exception filter.
import 'reflect-metadata';
import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  Controller,
  Module,
  RpcExceptionFilter,
  UseFilters,
  ValidationPipe,
} from '@nestjs/common';
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
import { randomUUID } from 'node:crypto';
import { from, Observable } from 'rxjs';
import { Not, Repository } from 'typeorm';
import { AlertOccurrence } from '../../src/alerts/alert-occurrence.entity';
import { Alert } from '../../src/alerts/alert.entity';
import { AlertStatus } from '../../src/events/alert.enums';
import { eventIdentity } from '../../src/events/event-identity';
import { LogEvent } from '../../src/events/log-event.dto';
import { Match } from '../../src/events/match';
import { RulesModule } from '../../src/rules/rules.module';
import { RulesService } from '../../src/rules/rules.service';

const topic = process.env.BENCH_TOPIC!;

/**
 * What a stock app needs to get past a bad message: without it the ValidationPipe's rejection
 * fails eachMessage, kafkajs retries and restarts the consumer, and the partition never moves
 * again. One send per message, as a handler would do it; the transport has already turned the
 * value into an object where it could, so that is serialised back.
 */
@Catch(BadRequestException)
class DeadLetterFilter implements RpcExceptionFilter<BadRequestException> {
  catch(_error: BadRequestException, host: ArgumentsHost): Observable<unknown> {
    const ctx = host.switchToRpc().getContext<KafkaContext>();
    const { key, value } = ctx.getMessage() as { key: unknown; value: unknown };
    const raw = typeof value === 'string' ? value : JSON.stringify(value);
    return from(
      ctx.getProducer().send({
        topic: `${topic}.dlq`,
        messages: [{ key: typeof key === 'string' ? key : null, value: raw }],
      }),
    );
  }
}

@Controller()
class NaiveController {
  constructor(
    @InjectRepository(Alert) private readonly alerts: Repository<Alert>,
    @InjectRepository(AlertOccurrence) private readonly occurrences: Repository<AlertOccurrence>,
    private readonly rules: RulesService,
  ) {}

  @EventPattern(topic)
  @UseFilters(new DeadLetterFilter())
  async handle(
    @Payload(new ValidationPipe({ transform: true })) event: LogEvent,
    @Ctx() ctx: KafkaContext,
  ) {
    const ref = {
      topic: ctx.getTopic(),
      partition: ctx.getPartition(),
      offset: ctx.getMessage().offset,
    };
    const match = this.rules.evaluate(event, ref);
    if (!match) return;
    const alert = await this.upsertAlert(event, match);
    await this.occurrences.save(
      this.occurrences.create({
        eventId: eventIdentity(event),
        eventTime: new Date(event.timestamp),
        alertId: alert.id,
        sourceTopic: ref.topic,
        sourcePartition: ref.partition,
        sourceOffset: ref.offset,
        event: { ...event },
      }),
    );
  }

  /** One handler per partition at a time (stock transport), so find-then-save does not race. */
  private async upsertAlert(event: LogEvent, match: Match): Promise<Alert> {
    const time = new Date(event.timestamp);
    const alert = await this.alerts.findOneBy({
      fingerprint: match.fingerprint,
      status: Not(AlertStatus.RESOLVED),
    });
    if (alert) {
      alert.occurrences = String(BigInt(alert.occurrences) + 1n);
      if (time > alert.lastSeenAt) {
        alert.lastSeenAt = time;
        alert.lastEvent = { ...event };
      }
      alert.lastReceivedAt = new Date();
      return this.alerts.save(alert);
    }
    const { candidate } = match;
    return this.alerts.save(
      this.alerts.create({
        id: randomUUID(),
        fingerprint: match.fingerprint,
        detector: match.detector,
        groupLabels: match.groupLabels,
        issueCode: candidate.issueCode,
        severity: candidate.severity,
        suggestedFix: candidate.suggestedFix,
        confidence: candidate.confidence,
        rawLog: { ...event },
        lastEvent: { ...event },
        metadata: {
          request_id: event.request_id,
          service: event.service,
          log_level: event.log_level,
        },
        occurrences: '1',
        firstSeenAt: time,
        lastSeenAt: time,
        lastReceivedAt: new Date(),
      }),
    );
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      entities: [Alert, AlertOccurrence],
    }),
    TypeOrmModule.forFeature([Alert, AlertOccurrence]),
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
