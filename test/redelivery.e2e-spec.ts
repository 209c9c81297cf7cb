import { Kafka, logLevel } from 'kafkajs';
import { eventIdentity } from '../src/events/event-identity';
import { closeClients } from './support/clients';
import { encode, logEvent } from './factories/log-event.factory';
import { alertsOf, occurrencesOf, occurrenceTotals, uniqueService } from './support/database';
import { eventually } from './support/eventually';
import { KAFKA_BROKERS } from './support/infra';
import { committedOffsets, createTopics, endOffsets, produce } from './support/kafka';
import { ServiceProcess, startService } from './support/service';

describe('redelivery', () => {
  afterAll(closeClients);

  it('re-reading a partition from the start counts no occurrence twice and changes no alert', async () => {
    const topics = await createTopics(2);
    const env = {
      KAFKA_TOPIC: topics.topic,
      KAFKA_DLQ_TOPIC: topics.dlq,
      KAFKA_GROUP_ID: topics.group,
    };
    const service = uniqueService();
    // 20 alert-worthy events of 3 problems (products), 20 no rule matches, over 2 partitions.
    const events = Array.from({ length: 40 }, (_, i) =>
      logEvent({
        service,
        error_code: i % 2 ? 'PRICE_MISSING' : 'CARD_DECLINED',
        product_id: `prod-${i % 3}`,
      }),
    );
    const alertWorthy = events.filter((e) => e.error_code === 'PRICE_MISSING');
    await produce(
      topics.topic,
      events.map((e) => ({ key: e.request_id, value: encode(e) })),
    );
    const allCommitted = () =>
      eventually(async () => {
        const [committed, end] = [
          await committedOffsets(topics.group, topics.topic),
          await endOffsets(topics.topic),
        ];
        expect([...committed.entries()].sort()).toEqual([...end.entries()].sort());
      });
    const metric = async (instance: ServiceProcess, name: string) => {
      const text = await (await fetch(instance.url('/metrics'))).text();
      return { text, value: Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]) };
    };

    const first = await startService(env);
    await eventually(async () =>
      expect(await occurrenceTotals(service)).toEqual({ alerts: 3, counted: 20, rows: 20 }),
    );
    await allCommitted();
    expect((await metric(first, 'stacklens_occurrences_total')).value).toBe(20);
    expect(await first.stop()).toBe(0);
    const before = await alertsOf(service);

    // Rewind the group: every message is delivered again, as after a crash before a commit.
    const admin = new Kafka({
      brokers: KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: topics.group, topic: topics.topic, earliest: true });
    await admin.disconnect();

    const second = await startService(env);
    try {
      await eventually(async () =>
        expect((await metric(second, 'stacklens_alerts_duplicate_total')).value).toBe(20),
      );
      await allCommitted();
      const { text, value: counted } = await metric(second, 'stacklens_occurrences_total');
      expect(counted).toBe(0);
      expect(text).not.toMatch(/^stacklens_alerts_created_total\{/m);
      expect(await occurrenceTotals(service)).toEqual({ alerts: 3, counted: 20, rows: 20 });
      expect((await occurrencesOf(service)).map((r) => r.event_id).sort()).toEqual(
        alertWorthy.map(eventIdentity).sort(),
      );
      // Copies of counted events touch nothing: same counts, times, version, updated_at.
      expect(await alertsOf(service)).toEqual(before);
    } finally {
      await second.stop();
    }
  });
});

describe('the same events on two partitions at once', () => {
  const service = uniqueService();
  let lines: string[] = [];
  let duplicates = NaN;

  afterAll(closeClients);

  it('counts each event once however the copies race', async () => {
    const topics = await createTopics(2);
    // The same 3,000 events of 5 problems on both partitions, in opposite orders chunk by chunk,
    // so two batches in flight at once insert the same occurrences in crossed order.
    const events = Array.from({ length: 3_000 }, (_, i) =>
      logEvent({ service, error_code: 'PRICE_MISSING', product_id: `prod-${i % 5}` }),
    );
    for (let i = 0; i < events.length; i += 500) {
      const chunk = events.slice(i, i + 500);
      const on = (partition: number, list: typeof events) =>
        list.map((e) => ({ partition, key: e.request_id, value: encode(e) }));
      await produce(topics.topic, on(0, chunk));
      await produce(topics.topic, on(1, [...chunk].reverse()));
    }
    // Started after producing, so both partitions' backlogs are fetched and written concurrently.
    const instance = await startService({
      KAFKA_TOPIC: topics.topic,
      KAFKA_DLQ_TOPIC: topics.dlq,
      KAFKA_GROUP_ID: topics.group,
    });
    try {
      await eventually(
        async () => {
          const [committed, end] = [
            await committedOffsets(topics.group, topics.topic),
            await endOffsets(topics.topic),
          ];
          expect([...committed.entries()].sort()).toEqual([...end.entries()].sort());
        },
        { timeoutMs: 120_000 },
      );
      const text = await (await fetch(instance.url('/metrics'))).text();
      duplicates = Number(/^stacklens_alerts_duplicate_total (\d+)/m.exec(text)?.[1]);
    } finally {
      await instance.stop();
      lines = instance.lines;
    }
    expect(await occurrenceTotals(service)).toEqual({ alerts: 5, counted: 3_000, rows: 3_000 });
    expect((await occurrencesOf(service)).map((r) => r.event_id).sort()).toEqual(
      events.map(eventIdentity).sort(),
    );
    expect(duplicates).toBe(3_000);
  });

  // Inserts are ordered by key and a deadlock is retried like a lost race: not an outage.
  it('and no write is reported failing meanwhile (no deadlock taken for an outage)', () => {
    expect(lines.filter((l) => l.includes('alert writes failing'))).toEqual([]);
  });
});
