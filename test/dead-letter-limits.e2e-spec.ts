import type { Message } from 'kafkajs';
import { encode, logEvent } from './factories/log-event.factory';
import { closeClients } from './support/clients';
import { eventually } from './support/eventually';
import { closeKafka, committedOffsets, endOffsets, produce, readAll } from './support/kafka';
import { logRecords, ServiceProcess, startService } from './support/service';
import { createConfiguredTopics, createTopic, deleteTopic } from './support/v2-kafka';
import {
  logCount,
  metricValue,
  occurrencesOf,
  rejoinOrCrashLines,
  uniqueServiceName,
} from './support/v2-observe';

const MB = 1024 * 1024;
const PARKED =
  'dead-letter write failed; partition parked until the dead-letter topic takes writes';
const RECOVERED = 'dead-letter write recovered';
const LEFT_GROUP =
  'processing stalled and dependencies are unreachable from this pod; leaving the consumer group until they answer';

afterAll(async () => {
  await closeKafka();
  await closeClients();
});

async function readinessStatus(service: ServiceProcess): Promise<number> {
  return (await fetch(service.url('/readiness'))).status;
}

it('cuts a dead letter to fit a dead-letter topic that refuses its size, and moves on', async () => {
  const svc = uniqueServiceName('dlq-size');
  const { topic, dlq, group } = await createConfiguredTopics({
    source: { 'max.message.bytes': String(3 * MB) },
    deadLetter: { 'max.message.bytes': String(1 * MB) },
  });
  const service = await startService({
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: dlq,
    KAFKA_GROUP_ID: group,
    LOG_LEVEL: 'info',
  });
  try {
    await service.waitReady();
    const before = logEvent({ service: svc });
    // A valid JSON object, but twice the default KAFKA_MAX_MESSAGE_BYTES (1 MiB): TOO_LARGE.
    const huge = encode({ ...logEvent({ service: svc }), padding: 'x'.repeat(2 * MB) });
    const after = logEvent({ service: svc });
    await produce(topic, [
      { key: before.request_id, value: encode(before) },
      { key: 'too-large', value: huge },
      { key: after.request_id, value: encode(after) },
    ]);
    const end = (await endOffsets(topic)).get(0)!;

    const [dead] = await readAll(dlq, 1, 60_000);
    expect({
      key: dead.key,
      reason: dead.headers['dlq.reason'],
      truncatedFrom: dead.headers['dlq.value.truncated.from.bytes'],
      fitsTopic: dead.value!.length <= 1 * MB,
      isPrefix: huge.subarray(0, dead.value!.length).equals(dead.value!),
    }).toEqual({
      key: 'too-large',
      reason: 'TOO_LARGE',
      truncatedFrom: String(huge.length),
      fitsTopic: true,
      isPrefix: true,
    });
    await eventually(async () => {
      const stored = await occurrencesOf(svc);
      expect([stored.get(before.request_id), stored.get(after.request_id)]).toEqual([1, 1]);
    });
    await eventually(async () => expect((await committedOffsets(group, topic)).get(0)).toBe(end));
    expect(await readinessStatus(service)).toBe(200);
    expect(logCount(service, PARKED)).toBe(0);
    expect(rejoinOrCrashLines(service)).toEqual([]);
  } finally {
    await service.stop();
  }
});

it('parks the partition while the dead-letter topic is gone, stays in its group, and delivers everything once it is back', async () => {
  const svc = uniqueServiceName('dlq-gone');
  const { topic, dlq, group } = await createConfiguredTopics();
  const service = await startService({
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: dlq,
    KAFKA_GROUP_ID: group,
    LOG_LEVEL: 'info',
    // Far shorter than the outage: a stall whose dependencies answer must not move partitions.
    PROCESSING_STALL_TIMEOUT: '5s',
  });
  let stopped: number | null = null;
  const good: string[] = [];
  const goodMessage = (): Message => {
    const event = logEvent({ service: svc, product_id: `prod-${good.length % 4}` });
    good.push(event.request_id);
    return { key: event.request_id, value: encode(event) };
  };
  try {
    await service.waitReady();
    // Mid-stream: the dead-letter producer is connected and knows the topic before it goes.
    await produce(topic, [goodMessage(), { key: 'warm-up', value: 'not json' }, goodMessage()]);
    await readAll(dlq, 1);
    await eventually(async () => expect((await occurrencesOf(svc)).size).toBe(good.length));

    await deleteTopic(dlq);
    const malformed: string[] = [];
    const stream: Message[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 40 === 10) {
        malformed.push(`malformed-${i}`);
        stream.push({ key: `malformed-${i}`, value: `{"request_id": "malformed-${i}", "trunc` });
      } else {
        stream.push(goodMessage());
      }
    }
    const start = (await endOffsets(topic)).get(0)!;
    await produce(topic, stream);
    const firstMalformed = start + BigInt(stream.findIndex((m) => m.key === malformed[0]));

    await eventually(() => expect(logCount(service, PARKED)).toBe(1), { timeoutMs: 60_000 });
    // Several sends must have failed before "once, not per retry" means anything.
    await eventually(
      async () =>
        expect(
          await metricValue(service, 'stacklens_dead_letter_failures_total', {
            cause: 'unavailable',
          }),
        ).toBeGreaterThanOrEqual(3),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(logCount(service, PARKED)).toBe(1);
    expect(await metricValue(service, 'stacklens_partitions_parked')).toBeGreaterThanOrEqual(1);
    const age = await metricValue(service, 'stacklens_oldest_batch_in_flight_seconds');
    await eventually(async () =>
      expect(
        await metricValue(service, 'stacklens_oldest_batch_in_flight_seconds'),
      ).toBeGreaterThan(age + 1),
    );
    expect((await committedOffsets(group, topic)).get(0) ?? -1n).toBeLessThanOrEqual(
      firstMalformed,
    );
    expect(await readinessStatus(service)).toBe(200);
    expect(rejoinOrCrashLines(service)).toEqual([]);
    expect(logCount(service, LEFT_GROUP)).toBe(0);

    await createTopic(dlq);
    const end = (await endOffsets(topic)).get(0)!;
    await eventually(async () => expect((await committedOffsets(group, topic)).get(0)).toBe(end), {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    const dlqEnd = (await endOffsets(dlq)).get(0)!;
    const dead = await readAll(dlq, Number(dlqEnd));
    expect(new Set(dead.map((m) => m.key))).toEqual(new Set(malformed));
    expect(dead.every((m) => m.headers['dlq.reason'] === 'INVALID_JSON')).toBe(true);
    const stored = await occurrencesOf(svc);
    expect({
      stored: stored.size,
      moreThanOnce: [...stored.values()].filter((n) => n > 1),
    }).toEqual({ stored: good.length, moreThanOnce: [] });
    expect(good.every((id) => stored.has(id))).toBe(true);
    await eventually(async () =>
      expect(await metricValue(service, 'stacklens_partitions_parked')).toBe(0),
    );
    expect(logCount(service, RECOVERED)).toBe(1);
    expect(logCount(service, PARKED)).toBe(1);
    expect(rejoinOrCrashLines(service)).toEqual([]);
    expect(logCount(service, LEFT_GROUP)).toBe(0);
  } finally {
    stopped = await service.stop();
  }
  // The process stayed up the whole time: it is the SIGTERM above that ends it, cleanly.
  expect({
    code: stopped,
    shutdowns: logRecords(service).filter((l) => l.msg === 'shutting down').length,
  }).toEqual({ code: 0, shutdowns: 1 });
});
