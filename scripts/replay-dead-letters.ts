// Re-publishes dead-lettered messages to the topic they came from (after the producer or the
// schema was fixed): original key, value and headers, without the dlq.* headers.
//
// Usage: npm run dlq:replay -- [--reason SCHEMA_VIOLATION] [--to pos-logs] [--dry-run]
//                              [--group stacklens-dlq-replay] [--timeout 60]
//   --reason   replay only dead letters with this dlq.reason; the others stay for a later run
//   --to       publish to this topic instead of each message's dlq.source.topic
//   --dry-run  count what would be replayed; publishes nothing and moves no position
//   --group    consumer group that keeps the replay position
//   --timeout  seconds without progress after which the run gives up (exit 1); a safety net only
// Reads KAFKA_BROKERS, KAFKA_DLQ_TOPIC and the KAFKA_SSL_* / KAFKA_SASL_* settings through the
// service's own validated config. Prints a human line, then one JSON line:
// {"replayed":N,"skipped":M,"replayedAgainNextRun":K,...}.
//
// Position: the group's committed offset is, per partition, the first dead letter not replayed
// yet. A message the filter skips is never committed past, so a later run (another --reason, or
// none) still sees it. The price: messages after the first skipped one that this run replayed are
// read and replayed again by the next run (replayedAgainNextRun). That is harmless because the
// service counts an event once (alerts are idempotent on event_key); a group per filter would not
// be better, since a later unfiltered run would then replay everything again.
// Ending: the run replays what the topic held when it started (its high watermarks) and stops.
import { IHeaders, Kafka, KafkaMessage, logLevel, Partitioners } from 'kafkajs';
import type { Admin } from 'kafkajs';
import { parseArgs } from 'node:util';
import { kafkaConfig } from '../src/config/configuration';
import { DLQ_HEADERS } from '../src/ingest/dead-letter.service';
import { kafkaSecurity } from '../src/kafka/kafka-options';

interface Options {
  reason?: string;
  to?: string;
  group: string;
  dryRun: boolean;
  timeoutMs: number;
}

interface PartitionProgress {
  /** Where the group stood when the run began. */
  start: bigint;
  /** The high watermark when the run began: the run stops there. */
  end: bigint;
  /** The offset after the last message handled. */
  next: bigint;
  firstSkipped?: bigint;
}

interface Counts {
  replayed: number;
  skipped: number;
  replayedAgainNextRun: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      reason: { type: 'string' },
      to: { type: 'string' },
      group: { type: 'string', default: 'stacklens-dlq-replay' },
      'dry-run': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '60' },
    },
  });
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new Error('--timeout must be a positive number of seconds');
  return {
    reason: values.reason,
    to: values.to,
    group: values.group,
    dryRun: values['dry-run'],
    timeoutMs: timeoutSeconds * 1000,
  };
}

/** Two replays in one group would split the partitions and each stop early or commit the other's. */
async function assertNoOtherReplay(admin: Admin, group: string): Promise<void> {
  const { groups } = await admin.describeGroups([group]);
  const state = groups[0]?.state ?? 'Dead';
  if (state !== 'Empty' && state !== 'Dead')
    throw new Error(
      `consumer group ${group} has members (${state}): another replay is running, or a crashed ` +
        'one has not expired yet (30 s); try again when it is gone',
    );
}

async function startPositions(
  admin: Admin,
  topic: string,
  group: string,
): Promise<Map<number, PartitionProgress>> {
  const [watermarks, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  ]);
  const committedBy = new Map(committed.partitions.map((p) => [p.partition, BigInt(p.offset)]));
  return new Map(
    watermarks.map((w) => {
      // Nothing committed (-1), or committed below what retention kept: the consumer starts at low.
      const low = BigInt(w.low);
      const committedAt = committedBy.get(w.partition) ?? -1n;
      const start = committedAt > low ? committedAt : low;
      return [w.partition, { start, end: BigInt(w.high), next: start }];
    }),
  );
}

/** Per partition: the first skipped message, else the offset after the last one handled. */
function positionsToCommit(topic: string, progress: Map<number, PartitionProgress>) {
  return [...progress]
    .map(([partition, p]) => ({
      topic,
      partition,
      offset: p.firstSkipped ?? p.next,
      start: p.start,
    }))
    .filter(({ offset, start }) => offset > start)
    .map(({ partition, offset }) => ({ topic, partition, offset: String(offset) }));
}

function headerText(headers: IHeaders, name: string): string | undefined {
  return headers[name]?.toString();
}

async function replay(
  kafka: Kafka,
  topic: string,
  progress: Map<number, PartitionProgress>,
  options: Options,
): Promise<Counts> {
  const counts: Counts = { replayed: 0, skipped: 0, replayedAgainNextRun: 0 };
  const behind = new Set([...progress].filter(([, p]) => p.next < p.end).map(([n]) => n));
  if (behind.size === 0) return counts;

  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  const consumer = kafka.consumer({
    groupId: options.group,
    allowAutoTopicCreation: false,
    // Once caught up, disconnecting waits for the fetch in flight: keep its long poll short.
    maxWaitTimeInMs: 500,
  });
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const caughtUp = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  // Awaited below; this only keeps a failure before then from counting as unhandled.
  caughtUp.catch(() => undefined);
  let stopped = false;
  let lastProgressAt = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgressAt < options.timeoutMs) return;
    const where = [...behind].map(
      (n) => `${n} at ${progress.get(n)!.next}/${progress.get(n)!.end}`,
    );
    fail(
      new Error(
        `no progress for ${options.timeoutMs / 1000} s; partitions not caught up: ${where.join(', ')}`,
      ),
    );
  }, 1000);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fail(payload.error);
  });

  const handle = async (partition: number, message: KafkaMessage): Promise<void> => {
    const p = progress.get(partition);
    const offset = BigInt(message.offset);
    // Partitions created after the start, and messages written after it, are for a later run.
    if (stopped || !p || offset >= p.end) return;
    const headers = message.headers ?? {};
    const target = options.to ?? headerText(headers, DLQ_HEADERS.topic);
    const wanted = !options.reason || options.reason === headerText(headers, DLQ_HEADERS.reason);
    if (target && wanted) {
      if (!options.dryRun) {
        const original = Object.fromEntries(
          Object.entries(headers).filter(([name]) => !name.startsWith('dlq.')),
        );
        await producer.send({
          topic: target,
          acks: -1,
          messages: [{ key: message.key, value: message.value, headers: original }],
        });
      }
      counts.replayed++;
      if (p.firstSkipped !== undefined && !options.dryRun) counts.replayedAgainNextRun++;
    } else {
      counts.skipped++;
      p.firstSkipped ??= offset;
    }
    p.next = offset + 1n;
    lastProgressAt = Date.now();
    if (p.next >= p.end) {
      consumer.pause([{ topic, partitions: [partition] }]);
      behind.delete(partition);
      if (behind.size === 0) finish();
    }
  };

  let failure: Error | undefined;
  try {
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      // Positions are committed by hand below: never past a skipped message.
      autoCommit: false,
      eachMessage: ({ partition, message }) =>
        handle(partition, message).catch((error: Error) => {
          // Stop at the message that failed, rather than let the consumer retry it forever.
          stopped = true;
          fail(error);
        }),
    });
    await caughtUp;
  } catch (error) {
    failure = error as Error;
  }
  stopped = true;
  clearInterval(watchdog);
  // Also after a failure: what was replayed so far need not be replayed again.
  if (!options.dryRun)
    await consumer.commitOffsets(positionsToCommit(topic, progress)).catch((error: Error) => {
      failure ??= error;
    });
  await consumer.disconnect();
  await producer.disconnect();
  if (failure) throw failure;
  return counts;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const config = kafkaConfig();
  const topic = config.deadLetterTopic;
  const kafka = new Kafka({
    clientId: 'stacklens-dlq-replay',
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    ...kafkaSecurity(config),
  });
  const admin = kafka.admin();
  await admin.connect();
  let counts: Counts;
  try {
    await assertNoOtherReplay(admin, options.group);
    counts = await replay(kafka, topic, await startPositions(admin, topic, options.group), options);
  } finally {
    await admin.disconnect();
  }

  const verb = options.dryRun ? 'would replay' : 'replayed';
  console.log(
    `${verb} ${counts.replayed} message(s) from ${topic}; skipped ${counts.skipped}` +
      (counts.skipped > 0 ? ' (kept for a later run)' : '') +
      (counts.replayedAgainNextRun > 0
        ? `; ${counts.replayedAgainNextRun} replayed message(s) after a skipped one will be ` +
          'replayed again by the next run (harmless: the service counts an event once)'
        : ''),
  );
  console.log(JSON.stringify({ ...counts, dryRun: options.dryRun, topic, group: options.group }));
}

main().catch((err: Error) => {
  console.error(`dlq:replay failed: ${err.message}`);
  process.exit(1);
});
