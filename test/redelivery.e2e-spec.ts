import { Kafka, logLevel } from 'kafkajs';
import { closeClients } from './support/clients';
import { encode, logEvent } from './factories/log-event.factory';
import { query } from './support/database';
import { eventually } from './support/eventually';
import { KAFKA_BROKERS } from './support/infra';
import { committedOffsets, createTopics, endOffsets, produce } from './support/kafka';
import { startService } from './support/service';

describe('redelivery', () => {
  afterAll(closeClients);

  it('re-reading a partition from the start creates no second alert', async () => {
    const topics = await createTopics(2);
    const env = {
      KAFKA_TOPIC: topics.topic,
      KAFKA_DLQ_TOPIC: topics.dlq,
      KAFKA_GROUP_ID: topics.group,
    };
    const events = Array.from({ length: 40 }, (_, i) =>
      logEvent({ error_code: i % 2 ? 'PRICE_MISSING' : 'CARD_DECLINED' }),
    );
    await produce(
      topics.topic,
      events.map((e) => ({ key: e.request_id, value: encode(e) })),
    );
    const countAlerts = async () =>
      Number(
        (
          await query<{ n: string }>(`SELECT count(*) AS n FROM alerts WHERE source_topic = $1`, [
            topics.topic,
          ])
        )[0].n,
      );

    const first = await startService(env);
    await eventually(async () => expect(await countAlerts()).toBe(20));
    await eventually(async () => {
      const [committed, end] = [
        await committedOffsets(topics.group, topics.topic),
        await endOffsets(topics.topic),
      ];
      expect([...committed.entries()].sort()).toEqual([...end.entries()].sort());
    });
    expect(await first.stop()).toBe(0);

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
      const metric = await eventually(async () => {
        const text = await (await fetch(second.url('/metrics'))).text();
        const match = /^stacklens_alerts_duplicate_total (\d+)/m.exec(text);
        expect(Number(match?.[1])).toBe(20);
        return text;
      });
      expect(metric).not.toMatch(/^stacklens_alerts_created_total\{/m);
      expect(await countAlerts()).toBe(20);
    } finally {
      await second.stop();
    }
  });
});
