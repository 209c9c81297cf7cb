import type { Message } from 'kafkajs';
import { closeClients } from '../support/clients';
import { encode, logEvent } from '../factories/log-event.factory';
import { alertsFor } from '../support/database';
import { eventually } from '../support/eventually';
import { createTopics, produce, readAll } from '../support/kafka';
import { logRecords, startService } from '../support/service';
import { POISON_CORPUS, POISON_MAX_MESSAGE_BYTES } from './corpus';

afterAll(closeClients);

it(`dead-letters each of ${POISON_CORPUS.length} hostile messages with its reason, and the good event after each still alerts`, async () => {
  const topics = await createTopics(1);
  const service = await startService({
    KAFKA_TOPIC: topics.topic,
    KAFKA_DLQ_TOPIC: topics.dlq,
    KAFKA_GROUP_ID: topics.group,
    KAFKA_MAX_MESSAGE_BYTES: String(POISON_MAX_MESSAGE_BYTES),
    LOG_LEVEL: 'info',
  });
  try {
    const goodAfter = new Map<string, string>();
    for (const poison of POISON_CORPUS) {
      const good = logEvent({ error_code: 'PRICE_MISSING' });
      goodAfter.set(poison.name, good.request_id);
      const messages: Message[] = [
        { key: poison.name, value: poison.value, headers: poison.headers },
        { key: `good-after-${poison.name}`, value: encode(good) },
      ];
      await produce(topics.topic, messages);
    }

    const goodIds = [...goodAfter.values()];
    await eventually(async () => expect(await alertsFor(goodIds)).toHaveLength(goodIds.length), {
      timeoutMs: 90_000,
    });
    const alerts = await alertsFor(goodIds);
    expect(new Set(alerts.map((a) => `${a.issue_code}/${a.severity}/${a.status}`))).toEqual(
      new Set(['PRICE_MISSING/critical/open']),
    );

    const dead = await readAll(topics.dlq, POISON_CORPUS.length, 60_000);
    const reasons = Object.fromEntries(dead.map((m) => [m.key, m.headers['dlq.reason']]));
    expect(reasons).toEqual(Object.fromEntries(POISON_CORPUS.map((c) => [c.name, c.reason])));
    for (const m of dead) {
      expect(m.headers['dlq.error']).toBeTruthy();
      expect(m.headers['dlq.source.topic']).toBe(topics.topic);
    }

    // The same process handled everything: no crash, no consumer restart.
    expect(service.lines.length).toBeGreaterThan(0);
    await service.waitReady(5_000);
    expect(logRecords(service).filter((l) => l.msg === 'kafka consumer crashed')).toEqual([]);
  } finally {
    await service.stop();
  }
});
