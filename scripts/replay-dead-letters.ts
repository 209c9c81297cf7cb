// Re-publishes dead-lettered messages to the topic they came from (after the producer or the
// schema was fixed). Original key, value and headers; the dlq.* headers are dropped.
// Progress is kept in its own consumer group, so a replay resumes where it stopped.
// Usage: npm run dlq:replay -- [--reason SCHEMA_VIOLATION] [--to pos-logs] [--dry-run]
import { IHeaders, Kafka, logLevel, Partitioners } from 'kafkajs';
import { parseArgs } from 'node:util';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reason: { type: 'string' },
      to: { type: 'string' },
      group: { type: 'string', default: 'stacklens-dlq-replay' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const dlq = process.env.KAFKA_DLQ_TOPIC ?? 'pos-logs.dlq';
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ clientId: 'stacklens-dlq-replay', brokers, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  // A dry run reads with a throwaway group so that it does not move the real replay's position.
  const groupId = values['dry-run'] ? `${values.group}-dry-run-${Date.now()}` : values.group;
  const consumer = kafka.consumer({ groupId });
  await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);

  // Replay what is there now, then stop: the end offsets are fixed before reading.
  const end = new Map(
    (await admin.fetchTopicOffsets(dlq)).map((p) => [p.partition, BigInt(p.high)]),
  );
  const remaining = new Set([...end].filter(([, high]) => high > 0n).map(([p]) => p));
  let replayed = 0;
  let skipped = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  await consumer.subscribe({ topic: dlq, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = message.headers ?? {};
      const reason = headers['dlq.reason']?.toString();
      const target = values.to ?? headers['dlq.source.topic']?.toString();
      if (target && (!values.reason || values.reason === reason)) {
        const original: IHeaders = Object.fromEntries(
          Object.entries(headers).filter(([k]) => !k.startsWith('dlq.')),
        );
        if (!values['dry-run']) {
          await producer.send({
            topic: target,
            acks: -1,
            messages: [{ key: message.key, value: message.value, headers: original }],
          });
        }
        replayed++;
      } else {
        skipped++;
      }
      if (BigInt(message.offset) + 1n >= (end.get(partition) ?? 0n)) remaining.delete(partition);
      if (remaining.size === 0) finish();
    },
  });
  if (remaining.size > 0) await done;
  await consumer.disconnect();
  await Promise.all([producer.disconnect(), admin.disconnect()]);
  const verb = values['dry-run'] ? 'would replay' : 'replayed';
  console.log(`${verb} ${replayed} message(s) from ${dlq}; skipped ${skipped}`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
