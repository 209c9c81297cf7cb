import { Kafka, logLevel } from 'kafkajs';
import { encode, logEvent } from './factories/log-event.factory';
import { closeClients } from './support/clients';
import { occurrencesOfEvents, occurrenceTotals, uniqueService } from './support/database';
import { eventually } from './support/eventually';
import { KAFKA_BROKERS } from './support/infra';
import { committedOffsets, createTopics, endOffsets, produce, readAll } from './support/kafka';
import { logRecords, startService } from './support/service';

afterAll(closeClients);

const PARKED =
  'dead-letter write failed; partition parked until the dead-letter topic takes writes';

it('does not commit a bad message while its dead letter cannot be written, and delivers it once it can', async () => {
  const topics = await createTopics(1);
  const missingDlq = `${topics.topic}.missing-dlq`; // not created yet; the broker does not auto-create
  const service = await startService({
    KAFKA_TOPIC: topics.topic,
    KAFKA_DLQ_TOPIC: missingDlq,
    KAFKA_GROUP_ID: topics.group,
  });
  const gauge = async (name: string) => {
    const text = await (await fetch(service.url('/metrics'))).text();
    return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
  };
  const oldestBatchSeconds = () => gauge('stacklens_oldest_batch_in_flight_seconds');
  const partitionsParked = () => gauge('stacklens_partitions_parked');
  const parkedLines = () => logRecords(service).filter((l) => l.msg === PARKED);
  try {
    await service.waitReady();
    const svc = uniqueService();
    const after = logEvent({ service: svc, error_code: 'PRICE_MISSING' });
    await produce(topics.topic, [
      { key: 'bad', value: 'not json' },
      { key: after.request_id, value: encode(after) },
    ]);
    const [end] = [...(await endOffsets(topics.topic)).values()];

    await eventually(() => expect(parkedLines()).not.toHaveLength(0), { timeoutMs: 60_000 });
    expect(parkedLines()[0]).toMatchObject({
      topic: topics.topic,
      partition: 0,
      reason: 'INVALID_JSON',
      dead_letter_topic: missingDlq,
    });
    expect((await committedOffsets(topics.group, topics.topic)).get(0) ?? -1n).toBeLessThan(end);
    // The stuck batch is visible to operators while readiness (consumer in group) stays green.
    expect(await partitionsParked()).toBeGreaterThan(0);
    await eventually(async () => expect(await oldestBatchSeconds()).toBeGreaterThanOrEqual(1));
    const stuckFor = await oldestBatchSeconds();
    await eventually(async () => expect(await oldestBatchSeconds()).toBeGreaterThan(stuckFor));
    expect(await partitionsParked()).toBeGreaterThan(0);
    expect((await fetch(service.url('/readiness'))).status).toBe(200);
    // Still parked, still held; one log line for the episode, however many retries.
    expect((await committedOffsets(topics.group, topics.topic)).get(0) ?? -1n).toBeLessThan(end);
    expect(parkedLines()).toHaveLength(1);

    const admin = new Kafka({
      brokers: KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: missingDlq, numPartitions: 1 }],
    });
    await admin.disconnect();

    await eventually(
      async () => expect((await committedOffsets(topics.group, topics.topic)).get(0)).toBe(end),
      { timeoutMs: 120_000 },
    );
    const [dead] = await readAll(missingDlq, 1);
    expect(dead).toMatchObject({ key: 'bad', headers: { 'dlq.reason': 'INVALID_JSON' } });
    // The good neighbour was stored once, not once per retry of the parked batch.
    expect(await occurrencesOfEvents([after])).toHaveLength(1);
    expect(await occurrenceTotals(svc)).toEqual({ alerts: 1, counted: 1, rows: 1 });
    expect(logRecords(service).filter((l) => l.msg === 'dead-letter write recovered')).toHaveLength(
      1,
    );
    expect(parkedLines()).toHaveLength(1);
    await eventually(async () => expect(await oldestBatchSeconds()).toBe(0));
    expect(await partitionsParked()).toBe(0);
  } finally {
    await service.stop();
  }
});
