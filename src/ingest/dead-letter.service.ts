import { Inject, Injectable, Logger } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { IHeaders } from 'kafkajs';
import { Counter } from 'prom-client';
import { kafkaConfig, KafkaConfig } from '../config/configuration';
import { MESSAGES_CONSUMED, MESSAGES_DEAD_LETTERED } from '../metrics/metric-names';
import { InvalidEventError } from './invalid-event.error';
import { messageRef } from './message-ref';

/** Header names on dead-lettered messages; operators filter and replay by them. */
export const DLQ_HEADERS = {
  reason: 'dlq.reason',
  error: 'dlq.error',
  topic: 'dlq.source.topic',
  partition: 'dlq.source.partition',
  offset: 'dlq.source.offset',
  timestamp: 'dlq.source.timestamp',
  group: 'dlq.consumer.group',
  failedAt: 'dlq.failed.at',
} as const;

const MAX_ERROR_HEADER_CHARS = 1_000;

/**
 * Parks a message that can never be processed on the dead-letter topic: original key, value and
 * headers, plus why and where from. Resolves once the broker has it (acks=all); until then the
 * source offset must not be committed, so a failure here propagates.
 */
@Injectable()
export class DeadLetterService {
  private readonly logger = new Logger(DeadLetterService.name);

  constructor(
    @Inject(kafkaConfig.KEY) private readonly config: KafkaConfig,
    @InjectMetric(MESSAGES_DEAD_LETTERED) private readonly deadLettered: Counter<string>,
    @InjectMetric(MESSAGES_CONSUMED) private readonly consumed: Counter<string>,
  ) {}

  async publish(ctx: KafkaContext, error: InvalidEventError): Promise<void> {
    const message = ctx.getMessage();
    const ref = messageRef(ctx);
    const headers: IHeaders = {
      ...message.headers,
      [DLQ_HEADERS.reason]: error.reason,
      [DLQ_HEADERS.error]: error.message.slice(0, MAX_ERROR_HEADER_CHARS),
      [DLQ_HEADERS.topic]: ref.topic,
      [DLQ_HEADERS.partition]: String(ref.partition),
      [DLQ_HEADERS.offset]: ref.offset,
      [DLQ_HEADERS.timestamp]: message.timestamp,
      [DLQ_HEADERS.group]: this.config.groupId,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    };
    try {
      await ctx.getProducer().send({
        topic: this.config.deadLetterTopic,
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers }],
      });
    } catch (err) {
      // The source offset stays uncommitted and the batch is fetched again: nothing is lost,
      // but the partition waits until the dead-letter topic takes writes.
      this.logger.error({
        msg: 'dead-letter write failed; the message will be retried',
        ...ref,
        reason: error.reason,
        dead_letter_topic: this.config.deadLetterTopic,
        error: (err as Error).message,
      });
      throw err;
    }
    this.deadLettered.inc({ reason: error.reason });
    this.consumed.inc({ topic: ref.topic, outcome: 'dead_lettered' });
    this.logger.warn({
      msg: 'message dead-lettered',
      ...ref,
      reason: error.reason,
      error: error.message.slice(0, MAX_ERROR_HEADER_CHARS),
      dead_letter_topic: this.config.deadLetterTopic,
    });
  }
}
