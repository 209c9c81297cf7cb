import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { settleWithin } from '../common/settle-within';
import { KafkaConfig, ProcessingConfig } from '../config/configuration';
import { InboundBatch, InboundMessage } from '../events/inbound-batch';
import { BatchContext } from './batch-context';
import { CommitTimer } from './commit-timer';
import { ConsumerState } from './consumer-state';
import { InFlightBatches } from './in-flight-batches';
import { clientOptions, consumerOptions, CRASH_RESTARTS } from './kafka-options';
import { DurableOffset, OffsetCommits } from './offset-commits';
import { PartitionTails } from './partition-tails';
import { StallWatchdog } from './stall-watchdog';

/** Keep the group membership while a slow batch (e.g. a database outage) is in hand. */
const HEARTBEAT_EVERY_MS = 1_000;
/** Heartbeats through `payload` until cleared: a batch that takes long must not cost the membership. */
const keepAlive = (payload: EachBatchPayload) =>
  setInterval(() => void payload.heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);

/**
 * kafkajs' message already has InboundMessage's fields: it is handed on as it is, not copied
 * (an object per event, kept until the batch is durable). Only missing headers are filled in.
 */
const inboundMessage = (m: KafkaMessage): InboundMessage => {
  m.headers ??= {};
  return m as InboundMessage;
};

/** How long shutdown or a rejoin waits for aborted fetch-ahead batches (SIGTERM allows 25 s). */
const TAILS_DRAIN_LIMIT_MS = 5_000;
/**
 * How long the batches in hand at shutdown get to become durable and be committed before they
 * are abandoned (Kafka Connect's task.shutdown.graceful.timeout.ms, 5 s by default).
 */
const SHUTDOWN_DRAIN_MS = 5_000;

export interface KafkaBatchTransportOptions {
  kafka: KafkaConfig;
  processing: ProcessingConfig;
  /** Topic to subscribe to -> the @EventPattern it is routed to. */
  routes: Record<string, string>;
  /** Can this pod reach what processing needs (Postgres)? Asked only when a batch is stalled. */
  dependenciesReachable: () => Promise<boolean>;
  /** kafkajs gave up on the consumer: liveness would stay green while nothing is consumed. */
  onUnrecoverable: (error: Error) => void;
}

/**
 * Nest's documented extension point for transports (Server + CustomTransportStrategy) over
 * kafkajs' eachBatch. A fetched batch of one partition goes to its @EventPattern handler as one
 * InboundBatch; when the handler's promise (or observable) completes, the batch's last offset is
 * committed here, in our code. If the handler fails or is aborted, nothing is committed and the
 * same messages are fetched again. Every kafkajs type stays inside src/kafka.
 *
 * Fetch-ahead (KAFKA_FETCH_AHEAD, on by default): kafkajs fetches, runs every batch of the fetch,
 * and only then fetches again, so a pod waits on Postgres and on the broker in turn. Instead the
 * batch's offset is resolved (kafkajs' fetch position moves on) as soon as its write has started,
 * and committed (autoCommit is off) only once the handler is done. PartitionTails bounds it to one
 * batch per partition in hand.
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(KafkaBatchTransport.name);
  private readonly client: Kafka;
  private consumer: Consumer | null = null;
  private batches = new AbortController();
  private readonly watchdog: StallWatchdog;
  private readonly crashes: number[] = [];
  private closing = false;
  private readonly tails = new PartitionTails();
  /** Every batch handler running, inline or ahead: what shutdown lets finish. */
  private readonly running = new Set<Promise<void>>();
  /** Bumped on every (re)join: a batch from an earlier generation is not committed by this member. */
  private generation = 0;
  private readonly commits = new OffsetCommits(
    (offsets) => this.sendCommit(offsets),
    () => this.generation,
  );

  constructor(
    private readonly options: KafkaBatchTransportOptions,
    private readonly state: ConsumerState,
    private readonly inFlight: InFlightBatches,
    private readonly commitTimer: CommitTimer,
  ) {
    super();
    this.client = new Kafka(clientOptions(options.kafka));
    this.watchdog = new StallWatchdog(
      options.processing.stallTimeoutMs,
      inFlight,
      options.dependenciesReachable,
      () => this.leaveUntilReachable(),
    );
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    this.watchdog.stop();
    // As a Kafka Connect task stops: no batch starts any more, and those in hand get
    // SHUTDOWN_DRAIN_MS to become durable and be committed, so a rolling restart leaves the next
    // owner (almost) nothing to redo or to dead-letter twice.
    this.pauseFetching();
    const unfinished = await settleWithin(this.running, SHUTDOWN_DRAIN_MS);
    if (unfinished > 0) {
      this.logger.warn({
        msg: 'batches not durable at the shutdown drain limit; they will be fetched again',
        unfinished,
        limit_ms: SHUTDOWN_DRAIN_MS,
      });
    }
    // Past it, handlers stop retrying; their batches stay uncommitted and are fetched again.
    this.batches.abort();
    await this.consumer?.disconnect();
    this.consumer = null;
    await this.drainTails();
  }

  /** kafkajs then fetches nothing more (it sleeps out its fetch wait instead). */
  private pauseFetching(): void {
    try {
      this.consumer?.pause([...this.handlers.keys()].map((topic) => ({ topic })));
    } catch {
      // not running (a rejoin under way, or before the first join): nothing is fetched anyway
    }
  }

  /** Aborted handlers end within moments; one that does not must not hold shutdown or a rejoin. */
  private async drainTails(): Promise<void> {
    const pending = await this.tails.drain(TAILS_DRAIN_LIMIT_MS);
    if (pending > 0)
      this.logger.warn({ msg: 'batches still running after abort; not waiting for them', pending });
  }

  on(): void {
    throw new Error('KafkaBatchTransport emits no events; read ConsumerState instead');
  }

  unwrap<T>(): T {
    return this.client as T;
  }

  private async start(): Promise<void> {
    // A route without a handler would commit offsets with nothing done: refuse to start instead.
    const handlers = new Map<string, MessageHandler>();
    for (const [topic, pattern] of Object.entries(this.options.routes)) {
      const handler = this.getHandlerByPattern(pattern);
      if (!handler) throw new Error(`no @EventPattern('${pattern}') handler for topic ${topic}`);
      handlers.set(topic, handler);
    }
    await this.join(handlers);
    this.watchdog.start();
  }

  private async join(handlers: Map<string, MessageHandler>): Promise<void> {
    this.batches = new AbortController();
    const consumer = this.client.consumer(
      consumerOptions(this.options.kafka, (error) => this.mayRestart(error)),
    );
    this.consumer = consumer;
    this.listenToConsumer(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...handlers.keys()], fromBeginning: true });
    if (this.closing) {
      // close() came while this (re)join was under way: it must not leave a consumer running.
      await consumer.disconnect();
      return;
    }
    const fetchAhead = this.options.kafka.fetchAhead;
    await consumer.run({
      partitionsConsumedConcurrently: this.options.kafka.partitionsConcurrency,
      eachBatchAutoResolve: false,
      // Fetch-ahead resolves offsets before they are durable: only our own commits may send them.
      autoCommit: !fetchAhead,
      // Commit after every batch the handler finished, not at the end of the whole fetch.
      autoCommitThreshold: 1,
      eachBatch: (payload) => {
        const handler = handlers.get(payload.batch.topic)!;
        return fetchAhead
          ? this.startBatch(handler, payload)
          : this.track(this.handleBatch(handler, payload));
      },
    });
    this.handlers = handlers;
  }

  private handlers = new Map<string, MessageHandler>();

  /**
   * Fetch-ahead: waits for this partition's previous batch (rethrowing its failure, so kafkajs'
   * retry and crash policy applies as without fetch-ahead), starts this one, and lets kafkajs
   * fetch on. The write commits its own offset when it is durable.
   */
  private async startBatch(handler: MessageHandler, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    // The generation kafkajs fetched this batch in, before the wait a rebalance may interrupt.
    const generation = this.generation;
    // The batch in hand heartbeats through its own payload, which a restarted runner no longer
    // answers to: keep this member alive while waiting for it.
    const heartbeats = keepAlive(payload);
    try {
      await this.tails.settle(batch.topic, batch.partition);
    } finally {
      clearInterval(heartbeats);
    }
    // Rebalanced meanwhile: the partition may be another member's; if it is still ours, kafkajs
    // fetches it again from the last commit.
    if (generation !== this.generation) return;
    if (!payload.isRunning() || payload.isStale() || this.batches.signal.aborted) return;
    if (this.closing) return; // fetched before shutdown paused the consumer: the next owner's
    this.tails.hand(
      batch.topic,
      batch.partition,
      this.track(this.handleBatch(handler, payload, generation)),
    );
    payload.resolveOffset(batch.lastOffset());
  }

  /** `aheadOf`: the generation a fetch-ahead batch belongs to; without it, the batch is inline. */
  private async handleBatch(
    handler: MessageHandler,
    payload: EachBatchPayload,
    aheadOf?: number,
  ): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    if (this.closing && aheadOf === undefined) return; // not started before shutdown: left as is
    const signal = this.batches.signal;
    const ahead = aheadOf !== undefined;
    const generation = aheadOf ?? this.generation;
    const done = this.inFlight.start(batch.topic, batch.partition);
    const heartbeats = keepAlive(payload);
    try {
      const inbound: InboundBatch = {
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages.map(inboundMessage),
      };
      const context = new BatchContext([batch.topic, batch.partition, signal]);
      const result: unknown = await handler(inbound, context);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      if (signal.aborted) return;
      if (ahead) {
        await this.commitDurable(batch.topic, batch.partition, batch.lastOffset(), generation);
        done();
        return;
      }
      payload.resolveOffset(batch.lastOffset());
      await payload.commitOffsetsIfNecessary();
      done();
      await payload.heartbeat();
    } catch (err) {
      if (signal.aborted) return; // shutting down or leaving: the batch is fetched again later
      // Fetch-ahead already moved past this batch: go back to it, so it is fetched again even if
      // no later batch of this partition ever comes to carry the failure to kafkajs.
      if (ahead) this.seekBack(batch.topic, batch.partition, batch.messages[0].offset);
      // The handler's own policy should never let an error out; one that does is a bug. kafkajs
      // retries it (CONSUMER_RETRY) and then crashes the consumer (CRASH_RESTARTS).
      this.logger.error({
        msg: 'batch handler failed; the batch will be fetched again',
        topic: batch.topic,
        partition: batch.partition,
        first_offset: batch.firstOffset(),
        error: (err as Error)?.message ?? String(err),
      });
      throw err;
    } finally {
      clearInterval(heartbeats);
    }
  }

  /** kafkajs refuses a seek while its consumer group is down (crash-restart, stop): then a rejoin
   * fetches from the last commit anyway, which is at or before this offset. */
  private seekBack(topic: string, partition: number, offset: string): void {
    try {
      this.consumer?.seek({ topic, partition, offset });
    } catch {
      // nothing to do: see above
    }
  }

  /**
   * Commits a durable batch, unless the group rebalanced since it started: the partition may be
   * another member's now, and kafkajs fetches it again from the last commit if it is still ours.
   * The commit goes out with those of the other partitions durable by then (OffsetCommits).
   */
  private async commitDurable(
    topic: string,
    partition: number,
    lastOffset: string,
    generation: number,
  ): Promise<void> {
    if (!this.consumer || generation !== this.generation) return;
    const offset = (BigInt(lastOffset) + 1n).toString();
    await this.commits.commit({ topic, partition, offset }, generation);
  }

  /** A failed commit is left to the next one (commits are cumulative); the batches are idempotent. */
  private async sendCommit(offsets: DurableOffset[]): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    await this.commitTimer
      .time(() => consumer.commitOffsets(offsets))
      .catch((err: Error) =>
        this.logger.warn({
          msg: 'offset commit failed; the next commit of these partitions covers it',
          offsets,
          error: err.message,
        }),
      );
  }

  private listenToConsumer(consumer: Consumer): void {
    const { GROUP_JOIN, CRASH, STOP, DISCONNECT } = consumer.events;
    consumer.on(GROUP_JOIN, (e) => {
      this.generation++;
      this.state.joined(e.payload.memberId);
      this.inFlight.retainAssigned(e.payload.memberAssignment);
      this.tails.retainAssigned(e.payload.memberAssignment);
    });
    consumer.on(STOP, () => this.state.left('stopped'));
    consumer.on(DISCONNECT, () => this.state.left('disconnected'));
    consumer.on(CRASH, (e) => {
      const error = e.payload.error;
      this.state.left(`crashed: ${error?.message ?? 'unknown error'}`);
      this.logger.error({
        msg: 'kafka consumer crashed',
        error: error?.message,
        restart: e.payload.restart,
      });
      if (!e.payload.restart && !this.closing) this.options.onUnrecoverable(error);
    });
  }

  /** Runs `handling` as one of the batches shutdown waits for. */
  private track(handling: Promise<void>): Promise<void> {
    this.running.add(handling);
    const forget = () => this.running.delete(handling);
    handling.then(forget, forget);
    return handling;
  }

  /** kafkajs asks after a crash: restart, unless it keeps crashing (then exit, visibly). */
  private mayRestart(error: Error): Promise<boolean> {
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && this.crashes[0] < now - CRASH_RESTARTS.windowMs) {
      this.crashes.shift();
    }
    const restart = this.crashes.length <= CRASH_RESTARTS.max && !this.closing;
    if (!restart) {
      this.logger.error({
        msg: 'kafka consumer keeps crashing; giving up so the pod is restarted',
        crashes: this.crashes.length,
        window_ms: CRASH_RESTARTS.windowMs,
        error: error.message,
      });
    }
    return Promise.resolve(restart);
  }

  /**
   * The watchdog saw a batch make no progress for PROCESSING_STALL_TIMEOUT while this pod cannot
   * reach its dependencies: leave the group so the partitions go to a pod that can, and come
   * back once they answer from here. Liveness stays green (the process is fine); readiness
   * reports why it is out.
   */
  private async leaveUntilReachable(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.closing) return;
    this.logger.error({
      msg: 'processing stalled and dependencies are unreachable from this pod; leaving the consumer group until they answer',
      stall_timeout_ms: this.options.processing.stallTimeoutMs,
    });
    this.batches.abort();
    this.consumer = null;
    await consumer.disconnect().catch(() => undefined);
    // The rejoined runner must not wait on (or heartbeat for) batches of the old one.
    await this.drainTails();
    this.inFlight.clear();
    this.state.left('parked: dependencies unreachable from this pod');
    await this.watchdog.waitUntilReachable(() => this.closing);
    if (this.closing) return;
    this.logger.log({ msg: 'dependencies reachable again; rejoining the consumer group' });
    await this.join(this.handlers);
  }
}
