import type { Message } from 'kafkajs';
import { Pool } from 'pg';
import { encode, logEvent } from '../factories/log-event.factory';
import { closeClients } from '../support/clients';
import { eventually } from '../support/eventually';
import { testDatabaseUrl } from '../support/infra';
import { committedOffsets, createTopics, endOffsets, produce } from '../support/kafka';
import { logRecords, startService } from '../support/service';
import { metricValue, occurrencesOf, uniqueServiceName } from '../support/v2-observe';

afterAll(closeClients);

it('SIGTERM with a batch in hand: the batch finishes and is committed before the pod leaves', async () => {
  const svc = uniqueServiceName('drain');
  const { topic, dlq, group } = await createTopics(1);
  const db = new Pool({ connectionString: testDatabaseUrl(), max: 1 });
  const locker = await db.connect();
  const service = await startService({
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: dlq,
    KAFKA_GROUP_ID: group,
    LOG_LEVEL: 'info',
  });
  try {
    await service.waitReady();
    // The batch's write waits on this lock: it is in hand, not durable, when SIGTERM comes.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE alerts IN ACCESS EXCLUSIVE MODE');
    const messages: Message[] = Array.from({ length: 50 }, (_, i) => {
      const event = logEvent({ service: svc, product_id: `prod-${i % 3}` });
      return { key: event.request_id, value: encode(event) };
    });
    await produce(topic, messages);
    await eventually(
      async () =>
        expect(
          await metricValue(service, 'stacklens_oldest_batch_in_flight_seconds'),
        ).toBeGreaterThan(0),
      { timeoutMs: 60_000, intervalMs: 100 },
    );

    const exited = service.stop('SIGTERM');
    await eventually(async () =>
      expect(logRecords(service).map((l) => l.msg)).toContain('shutting down'),
    );
    await locker.query('COMMIT');
    expect(await exited).toBe(0);

    expect({
      committed: (await committedOffsets(group, topic)).get(0),
      stored: (await occurrencesOf(svc)).size,
      abandoned: logRecords(service).filter((l) =>
        String(l.msg).startsWith('batches not durable at the shutdown drain limit'),
      ),
    }).toEqual({ committed: (await endOffsets(topic)).get(0), stored: 50, abandoned: [] });
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined);
    locker.release();
    await db.end();
    await service.stop();
  }
});
