import {
  Consumer,
  type Message,
  type MessagesStream,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
} from '@platformatic/kafka';
import { consumerOptions } from '../src/kafka/kafka-options';
import { BROKERS, endOffsetTotal, runId } from './bench-env';
import { CONSUME_LIMIT_MS, within } from './deadline';
import { benchKafkaConfig, ConsumeRun, consumeRun, cpuWindow, parse } from './consume-ceiling';

type BufferMessage = Message<Buffer, Buffer, Buffer, Buffer>;
type BufferStream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

/**
 * A': A's bare consumer on @platformatic/kafka (pure JS): a new group reading the topic from the
 * beginning, every value parsed with JSON.parse, offsets committed explicitly (autocommit off) and
 * the commit awaited before the next batch is read; stops when the committed offsets reach every
 * partition's end. Fetch sizes, fetch wait and group timeouts are the service's kafkajs consumer
 * options. Events/s and this process's CPU from consume() (which joins the group) to the moment the
 * final commit resolves.
 *
 * The library has no batch callback: its stream yields messages one by one and keeps fetching in
 * the background up to its highWaterMark (1024 messages by default; a whole fetch response is
 * pushed even past it). A batch here is what one drain of the stream's buffer yields, over every
 * partition in it, and is committed in one OffsetCommit request (the highest offset + 1 of each
 * partition, leader epoch -1, as kafkajs commits). Nothing bounds concurrent partition work: the
 * library fetches every assigned partition of a broker in one request and one loop parses them.
 */
export async function consumeCeilingPlatformatic(
  databaseUrl: string,
  topic: string,
): Promise<ConsumeRun> {
  const group = `bench-a2-${runId()}`;
  const config = benchKafkaConfig(databaseUrl, topic, group);
  const service = consumerOptions(config, () => Promise.resolve(false));
  const count = await endOffsetTotal(topic);
  const consumer = new Consumer({
    clientId: config.clientId,
    bootstrapBrokers: BROKERS,
    groupId: group,
    autocommit: false,
    sessionTimeout: service.sessionTimeout,
    heartbeatInterval: service.heartbeatInterval,
    // kafkajs' default, which the service keeps; the library's own is 2 minutes.
    rebalanceTimeout: service.rebalanceTimeout ?? 60_000,
    maxWaitTime: service.maxWaitTimeInMs,
    maxBytes: service.maxBytes,
    maxBytesPerPartition: service.maxBytesPerPartition,
    // minBytes 1 and READ_COMMITTED are both clients' defaults.
  });
  const committed = new Map<number, bigint>();
  let commits = 0;
  let settle!: (error?: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  const window = cpuWindow();
  let stream: BufferStream | undefined;
  try {
    const messages = (stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    }));
    let busy = false;
    const drain = async () => {
      busy = true;
      try {
        for (;;) {
          const next = new Map<number, bigint>();
          let message: BufferMessage | null;
          while ((message = messages.read() as BufferMessage | null) !== null) {
            parse(message.value);
            next.set(message.partition, message.offset + 1n);
          }
          if (next.size === 0) return;
          const offsets = [...next].map(([partition, offset]) => ({
            topic,
            partition,
            offset,
            leaderEpoch: -1,
          }));
          await consumer.commit({ offsets });
          commits++;
          for (const [partition, offset] of next) committed.set(partition, offset);
          let total = 0n;
          for (const offset of committed.values()) total += offset;
          if (total >= count) return settle();
        }
      } catch (error) {
        settle(error as Error);
      } finally {
        busy = false;
      }
    };
    // A 'readable' listener is what makes the stream fetch; read() in drain() takes what is there.
    messages.on('readable', () => {
      if (!busy) void drain();
    });
    messages.on('error', (error) => settle(error));
    await within(done, CONSUME_LIMIT_MS, () => {
      const total = [...committed.values()].reduce((a, b) => a + b, 0n);
      return `A' committed ${total} of ${count} events`;
    });
    return consumeRun(Number(count), commits, window());
  } finally {
    // The stream first: the consumer refuses to close (without force) while one is active.
    await stream?.close();
    await consumer.close();
  }
}
