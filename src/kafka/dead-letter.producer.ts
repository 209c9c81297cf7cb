import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import { kafkaConfig, KafkaConfig } from '../config/configuration';
import { clientOptions, producerOptions } from './kafka-options';

export interface OutboundRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: Record<string, Buffer | string | undefined>;
}

/** Why a send failed, in our terms: the caller decides what to do about each. */
export class DeadLetterSendError extends Error {
  constructor(
    readonly tooLarge: boolean,
    cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
    this.name = DeadLetterSendError.name;
  }
}

/**
 * The one Kafka producer of the service: it writes dead letters with acks=all. Disconnected in
 * onApplicationShutdown, which Nest runs after the consumer has stopped, so a batch finishing
 * during shutdown can still park its dead letters.
 */
@Injectable()
export class DeadLetterProducer implements OnApplicationShutdown {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;

  constructor(@Inject(kafkaConfig.KEY) private readonly config: KafkaConfig) {}

  async send(topic: string, records: OutboundRecord[]): Promise<void> {
    const producer = await this.connected();
    try {
      await producer.send({ topic, acks: -1, messages: records });
    } catch (err) {
      throw new DeadLetterSendError(isTooLarge(err), err);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const producer = await this.connecting?.catch(() => null);
    await producer?.disconnect();
  }

  private connected(): Promise<Producer> {
    this.connecting ??= (async () => {
      const producer = new Kafka(clientOptions(this.config)).producer(producerOptions());
      await producer.connect();
      this.producer = producer;
      return producer;
    })().catch((err: unknown) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }
}

/** kafkajs reports the broker's MESSAGE_TOO_LARGE as a protocol error, possibly wrapped. */
function isTooLarge(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { type?: unknown; cause?: unknown; errors?: unknown; originalError?: unknown };
  if (e.type === 'MESSAGE_TOO_LARGE') return true;
  const inner: unknown[] = [
    e.cause,
    e.originalError,
    ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : []),
  ];
  return inner.some((x) => isTooLarge(x, depth + 1));
}
