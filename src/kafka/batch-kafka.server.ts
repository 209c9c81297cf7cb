import { KafkaContext, KafkaOptions, ServerKafka } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { ConsumerState } from './consumer-state';
import { InFlightBatches } from './in-flight-batches';

export type BatchKafkaServerOptions = NonNullable<KafkaOptions['options']> & {
  /** Topic to subscribe to -> @EventPattern it is routed to. Lets the topic name be configuration. */
  routes: Record<string, string>;
};

/** Keep the group membership alive while a slow batch (e.g. a database outage) is in hand. */
const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Nest's Kafka transport with kafkajs' eachBatch instead of eachMessage. Each message still goes
 * through the normal @EventPattern pipeline (pipes, filters) and receives the raw value; what
 * changes is that a whole fetched batch is dispatched at once, so handlers can share one
 * database round trip, and that offsets are resolved only for the prefix of the batch whose
 * handlers all succeeded. A handler error therefore never skips a message: kafkajs fetches again
 * from the first one that failed.
 */
export class BatchKafkaServer extends ServerKafka {
  private readonly routes: Record<string, string>;

  /**
   * @param onUnrecoverable called when kafkajs gives up on the consumer (a crash it will not
   *   restart from). Liveness would stay green while nothing is consumed, so the process must go.
   */
  constructor(
    options: BatchKafkaServerOptions,
    private readonly state: ConsumerState,
    private readonly inFlight: InFlightBatches,
    private readonly onUnrecoverable: (error: Error) => void = () => undefined,
  ) {
    const { routes, ...kafkaOptions } = options;
    super(kafkaOptions);
    this.routes = routes;
  }

  /**
   * Nest resolves the handler per message by trying JSON.parse on the pattern, which throws for
   * a plain topic name: ~5% of CPU at full speed. Patterns are fixed once handlers are bound.
   */
  private readonly handlerCache = new Map<string, ReturnType<ServerKafka['getHandlerByPattern']>>();

  override getHandlerByPattern(pattern: string) {
    let handler = this.handlerCache.get(pattern);
    if (handler === undefined) {
      handler = super.getHandlerByPattern(pattern);
      this.handlerCache.set(pattern, handler);
    }
    return handler;
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ ...this.options.subscribe, topics: Object.keys(this.routes) });
    await consumer.run({
      ...this.options.run,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer;
    if (!consumer) return;
    const { GROUP_JOIN, REBALANCING, CRASH, STOP, DISCONNECT } = consumer.events;
    consumer.on(GROUP_JOIN, (e) => this.state.joined(e.payload.memberId));
    consumer.on(REBALANCING, () => {
      this.state.left('rebalancing');
      this.inFlight.clear();
    });
    consumer.on(STOP, () => this.state.left('stopped'));
    consumer.on(DISCONNECT, () => this.state.left('disconnected'));
    consumer.on(CRASH, (e) => {
      this.state.left(`crashed: ${e.payload.error?.message ?? 'unknown error'}`);
      this.logger.error({
        msg: 'kafka consumer crashed',
        error: e.payload.error?.message,
        restart: e.payload.restart,
      });
      if (!e.payload.restart) this.onUnrecoverable(e.payload.error);
    });
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    const pattern = this.routes[batch.topic];
    const heartbeat = () => payload.heartbeat();
    const done = this.inFlight.start(batch.topic, batch.partition);
    const keepAlive = setInterval(
      () => void heartbeat().catch(() => undefined),
      HEARTBEAT_EVERY_MS,
    );
    try {
      const results = await Promise.allSettled(
        batch.messages.map((message) =>
          this.dispatch(pattern, batch.topic, batch.partition, message, heartbeat),
        ),
      );
      const firstFailure = results.findIndex((r) => r.status === 'rejected');
      const handled = firstFailure === -1 ? results.length : firstFailure;
      if (handled > 0) payload.resolveOffset(batch.messages[handled - 1].offset);
      await payload.commitOffsetsIfNecessary();
      if (firstFailure !== -1) throw (results[firstFailure] as PromiseRejectedResult).reason;
      done();
      await heartbeat();
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** The raw value (Buffer or null) is the payload: decoding belongs to the handler's pipe. */
  private dispatch(
    pattern: string,
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<unknown> {
    const context = new KafkaContext([
      message,
      partition,
      topic,
      this.consumer!,
      heartbeat,
      this.producer!,
    ] as unknown as ConstructorParameters<typeof KafkaContext>[0]);
    return this.handleEvent(pattern, { pattern, data: message.value }, context);
  }
}
