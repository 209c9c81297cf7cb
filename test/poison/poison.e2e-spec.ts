import type { Message } from 'kafkajs';
import { eventIdentity } from '../../src/events/event-identity';
import { closeClients } from '../support/clients';
import { encode, logEvent } from '../factories/log-event.factory';
import { alertsOf, occurrencesOfEvents, occurrenceTotals } from '../support/database';
import { eventually } from '../support/eventually';
import { committedOffsets, createTopics, endOffsets, produce, readAll } from '../support/kafka';
import { logRecords, startService } from '../support/service';
import {
  POISON_CORPUS,
  POISON_MAX_MESSAGE_BYTES,
  POISON_RAW_LOG_MAX_BYTES,
  POISON_SERVICE,
  TOLERATED_CORPUS,
} from './corpus';

afterAll(closeClients);

const asBuffer = (value: Buffer | string | null) =>
  value === null ? Buffer.alloc(0) : Buffer.isBuffer(value) ? value : Buffer.from(value);

it(`dead-letters each of ${POISON_CORPUS.length} hostile messages with its reason, stores ${TOLERATED_CORPUS.length} odd but valid events, and the good event after each still counts`, async () => {
  const topics = await createTopics(1);
  const service = await startService({
    KAFKA_TOPIC: topics.topic,
    KAFKA_DLQ_TOPIC: topics.dlq,
    KAFKA_GROUP_ID: topics.group,
    KAFKA_MAX_MESSAGE_BYTES: String(POISON_MAX_MESSAGE_BYTES),
    RAW_LOG_MAX_BYTES: String(POISON_RAW_LOG_MAX_BYTES),
    LOG_LEVEL: 'info',
  });
  try {
    const goods: Array<ReturnType<typeof logEvent>> = [];
    const cases: Array<{
      key: string;
      value: Buffer | string | null;
      headers?: Message['headers'];
    }> = [
      ...POISON_CORPUS.map((c) => ({ key: c.name, value: c.value, headers: c.headers })),
      ...TOLERATED_CORPUS.map((c) => ({ key: c.name, value: encode(c.event) })),
    ];
    for (const c of cases) {
      const good = logEvent({ service: POISON_SERVICE, error_code: 'PRICE_MISSING' });
      goods.push(good);
      await produce(topics.topic, [c, { key: `good-after-${c.key}`, value: encode(good) }]);
    }

    // Every message handled: committed to the end of the topic.
    await eventually(
      async () => {
        const [end] = [...(await endOffsets(topics.topic)).values()];
        expect((await committedOffsets(topics.group, topics.topic)).get(0)).toBe(end);
      },
      { timeoutMs: 90_000 },
    );

    // Every good event and every tolerated one counted exactly once, nothing else.
    const counted = [...goods, ...TOLERATED_CORPUS.map((c) => c.event)];
    const rows = await occurrencesOfEvents(counted);
    expect(rows.map((r) => r.event_id).sort()).toEqual(counted.map(eventIdentity).sort());
    const totals = await occurrenceTotals(POISON_SERVICE);
    // Truncated events are stored as previews (no service field), so rows by service miss them.
    expect(totals.counted).toBe(counted.length);
    const alerts = await alertsOf(POISON_SERVICE);
    expect(new Set(alerts.map((a) => `${a.issue_code}/${a.severity}/${a.status}`))).toEqual(
      new Set(['PRICE_MISSING/critical/open']),
    );

    // Tolerated: stored as received (unknown fields kept), or as a preview cut at a character
    // boundary when over RAW_LOG_MAX_BYTES (an emoji cut in half would be refused by jsonb).
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    for (const c of TOLERATED_CORPUS) {
      expect({ name: c.name, event: byId.get(eventIdentity(c.event))?.event }).toEqual({
        name: c.name,
        event: c.stored,
      });
    }
    const metrics = await (await fetch(service.url('/metrics'))).text();
    expect(metrics).toMatch(/^stacklens_unknown_event_fields_total\{field="firmware"\} 1$/m);
    expect(metrics).toMatch(/^stacklens_unknown_event_fields_total\{field="device"\} 1$/m);

    // Dead letters: every hostile message once, with its reason, value as sent; nothing else.
    const dlqEnd = [...(await endOffsets(topics.dlq)).values()].reduce((a, b) => a + b, 0n);
    const dead = await readAll(topics.dlq, Number(dlqEnd), 60_000);
    expect(dead.map((m) => m.key).sort()).toEqual(POISON_CORPUS.map((c) => c.name).sort());
    const reasons = Object.fromEntries(dead.map((m) => [m.key, m.headers['dlq.reason']]));
    expect(reasons).toEqual(Object.fromEntries(POISON_CORPUS.map((c) => [c.name, c.reason])));
    const sent = new Map(POISON_CORPUS.map((c) => [c.name, asBuffer(c.value)]));
    for (const m of dead) {
      expect(m.headers['dlq.error']).toBeTruthy();
      expect(m.headers['dlq.source.topic']).toBe(topics.topic);
      const original = sent.get(m.key!)!;
      const cutFrom = m.headers['dlq.value.truncated.from.bytes'];
      const value = m.value ?? Buffer.alloc(0);
      // A value too large for the dead-letter topic is cut, and says from what size.
      const expected = cutFrom ? original.subarray(0, value.length) : original;
      expect({ key: m.key, cutFrom, same: value.equals(expected) }).toEqual({
        key: m.key,
        cutFrom: cutFrom && String(original.length),
        same: true,
      });
    }

    // The same process handled everything: no crash, no consumer restart.
    await service.waitReady(5_000);
    expect(logRecords(service).filter((l) => l.msg === 'kafka consumer crashed')).toEqual([]);
  } finally {
    await service.stop();
  }
});
