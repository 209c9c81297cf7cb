import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge } from 'prom-client';
import { backoff } from '../common/backoff';
import { kafkaConfig, KafkaConfig } from '../config/configuration';
import {
  DeadLetterProducer,
  DeadLetterSendError,
  OutboundRecord,
} from '../kafka/dead-letter.producer';
import {
  DEAD_LETTER_FAILURES,
  MESSAGES_DEAD_LETTERED,
  PARTITIONS_PARKED,
} from '../metrics/metric-names';
import { DeadLetter } from './dead-letter';

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
  /** Present when the value was cut to fit the dead-letter topic: the original size in bytes. */
  truncated: 'dlq.value.truncated.from.bytes',
} as const;

const MAX_ERROR_HEADER_CHARS = 1_000;
/** Below this a value is not cut further: a topic that refuses 1 KiB is misconfigured, not full. */
const MIN_TRUNCATED_BYTES = 1_024;
const RETRY_CAP_MS = 30_000;

/**
 * Parks messages that will never be processed on the dead-letter topic: original key, value and
 * headers, plus why and where from. Resolves once the broker has them all (acks=all); until then
 * the source offset must not be committed. A value too large for the dead-letter topic is cut
 * (and says so in a header) rather than retried forever; a topic that refuses writes for any
 * other reason parks the partition: retried with backoff until it takes them, without a bound,
 * because dropping the message would lose it. The parked gauge and one log line per episode show it.
 */
@Injectable()
export class DeadLetterService {
  private readonly logger = new Logger(DeadLetterService.name);

  constructor(
    @Inject(kafkaConfig.KEY) private readonly config: KafkaConfig,
    private readonly producer: DeadLetterProducer,
    @InjectMetric(MESSAGES_DEAD_LETTERED) private readonly deadLettered: Counter<string>,
    @InjectMetric(DEAD_LETTER_FAILURES) private readonly failures: Counter<string>,
    @InjectMetric(PARTITIONS_PARKED) private readonly parked: Gauge<string>,
  ) {}

  async publish(letters: DeadLetter[], signal: AbortSignal): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = new Date().toISOString();
    const records = letters.map((l) => this.record(l, failedAt));
    try {
      await this.producer.send(this.config.deadLetterTopic, records);
    } catch {
      // One refused record fails the whole send: find it by sending them one at a time.
      for (let i = 0; i < records.length; i++)
        await this.publishOne(letters[i], records[i], signal);
    }
    for (const l of letters) {
      this.deadLettered.inc({ reason: l.reason });
      this.logger.warn({
        msg: 'message dead-lettered',
        ...l.ref,
        reason: l.reason,
        error: l.error.slice(0, MAX_ERROR_HEADER_CHARS),
        dead_letter_topic: this.config.deadLetterTopic,
      });
    }
  }

  private async publishOne(letter: DeadLetter, first: OutboundRecord, signal: AbortSignal) {
    let record = first;
    let parkedSince: number | null = null;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.producer.send(this.config.deadLetterTopic, [record]);
          if (parkedSince !== null) {
            this.logger.log({
              msg: 'dead-letter write recovered',
              ...letter.ref,
              parked_ms: Date.now() - parkedSince,
            });
          }
          return;
        } catch (err) {
          const tooLarge = err instanceof DeadLetterSendError && err.tooLarge;
          this.failures.inc({ cause: tooLarge ? 'too_large' : 'unavailable' });
          const cut = tooLarge ? truncated(record, letter) : null;
          if (cut) {
            record = cut;
            continue;
          }
          if (parkedSince === null) {
            parkedSince = Date.now();
            this.parked.inc();
            this.logger.error({
              msg: 'dead-letter write failed; partition parked until the dead-letter topic takes writes',
              ...letter.ref,
              reason: letter.reason,
              dead_letter_topic: this.config.deadLetterTopic,
              error: (err as Error).message,
            });
          }
          await backoff(attempt, RETRY_CAP_MS, signal);
        }
      }
    } finally {
      if (parkedSince !== null) this.parked.dec();
    }
  }

  private record(letter: DeadLetter, failedAt: string): OutboundRecord {
    const { message, ref } = letter;
    return {
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        [DLQ_HEADERS.reason]: letter.reason,
        [DLQ_HEADERS.error]: letter.error.slice(0, MAX_ERROR_HEADER_CHARS),
        [DLQ_HEADERS.topic]: ref.topic,
        [DLQ_HEADERS.partition]: String(ref.partition),
        [DLQ_HEADERS.offset]: ref.offset,
        [DLQ_HEADERS.timestamp]: message.timestamp,
        [DLQ_HEADERS.group]: this.config.groupId,
        [DLQ_HEADERS.failedAt]: failedAt,
      },
    };
  }
}

/** Half the value, marked with the original size; null when it cannot be cut further. */
function truncated(record: OutboundRecord, letter: DeadLetter): OutboundRecord | null {
  const value = letter.message.value;
  const current = record.value as Buffer | null;
  if (!value || !current || current.length <= MIN_TRUNCATED_BYTES) return null;
  return {
    ...record,
    value: value.subarray(0, Math.max(MIN_TRUNCATED_BYTES, Math.floor(current.length / 2))),
    headers: { ...record.headers, [DLQ_HEADERS.truncated]: String(value.length) },
  };
}
