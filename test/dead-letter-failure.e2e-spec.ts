import { Kafka, logLevel } from 'kafkajs';
import { encode, logEvent } from './factories/log-event.factory';
import { closeClients } from './support/clients';
import { alertsFor } from './support/database';
import { eventually } from './support/eventually';
import { KAFKA_BROKERS } from './support/infra';
import { committedOffsets, createTopics, endOffsets, produce, readAll } from './support/kafka';
import { logRecords, startService } from './support/service';

afterAll(closeClients);

it('does not commit a bad message while its dead letter cannot be written, and delivers it once it can', async () => {
  const topics = await createTopics(1);
  const missingDlq = `${topics.topic}.missing-dlq`; // not created yet; the broker does not auto-create
  const service = await startService({
    KAFKA_TOPIC: topics.topic,
    KAFKA_DLQ_TOPIC: missingDlq,
    KAFKA_GROUP_ID: topics.group,
  });
  const oldestBatchSeconds = async () => {
    const text = await (await fetch(service.url('/metrics'))).text();
    return Number(/^stacklens_oldest_batch_in_flight_seconds (\S+)/m.exec(text)?.[1]);
  };
  try {
    await service.waitReady();
    const after = logEvent({ error_code: 'PRICE_MISSING' });
    await produce(topics.topic, [
      { key: 'bad', value: 'not json' },
      { key: after.request_id, value: encode(after) },
    ]);
    const [end] = [...(await endOffsets(topics.topic)).values()];

    await eventually(
      () =>
        expect(
          logRecords(service).some((l) => String(l.msg).startsWith('dead-letter write failed')),
        ).toBe(true),
      { timeoutMs: 60_000 },
    );
    expect((await committedOffsets(topics.group, topics.topic)).get(0) ?? -1n).toBeLessThan(end);
    // The stuck batch is visible to operators while readiness (consumer in group) stays green.
    await eventually(async () => expect(await oldestBatchSeconds()).toBeGreaterThanOrEqual(1));

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
      {
        timeoutMs: 120_000,
      },
    );
    const [dead] = await readAll(missingDlq, 1);
    expect(dead).toMatchObject({ key: 'bad', headers: { 'dlq.reason': 'INVALID_JSON' } });
    expect(await alertsFor([after.request_id])).toHaveLength(1);
    await eventually(async () => expect(await oldestBatchSeconds()).toBe(0));
  } finally {
    await service.stop();
  }
});
