import { encode, logEvent } from './factories/log-event.factory';
import { alertsFor } from './support/database';
import { closeClients } from './support/clients';
import { eventually } from './support/eventually';
import { committedOffsets, createTopics, endOffsets, produce, readAll } from './support/kafka';
import { logRecords, ServiceProcess, startService } from './support/service';

describe('pos-logs -> alerts (real Kafka, real Postgres)', () => {
  let service: ServiceProcess;
  let topics: { topic: string; dlq: string; group: string };

  beforeAll(async () => {
    topics = await createTopics(1);
    service = await startService({
      KAFKA_TOPIC: topics.topic,
      KAFKA_DLQ_TOPIC: topics.dlq,
      KAFKA_GROUP_ID: topics.group,
    });
    await service.waitReady();
  });

  afterAll(async () => {
    await service?.stop();
    await closeClients();
  });

  /** Everything up to the topic's end is committed: the service is done with what was produced. */
  const allCommitted = () =>
    eventually(async () => {
      const [committed, end] = [
        await committedOffsets(topics.group, topics.topic),
        await endOffsets(topics.topic),
      ];
      for (const [partition, high] of end) {
        if (committed.get(partition) !== high)
          throw new Error(`partition ${partition}: ${committed.get(partition)} of ${high}`);
      }
    });

  it('turns an alert-worthy event into one alert row with every field right', async () => {
    const event = logEvent({ error_code: 'PRICE_MISSING', timestamp: '2025-11-18T19:00:00Z' });
    await produce(topics.topic, [{ key: event.request_id, value: encode(event) }]);

    const [alert] = await eventually(async () => {
      const rows = await alertsFor([event.request_id]);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(alert).toMatchObject({
      issue_code: 'PRICE_MISSING',
      severity: 'critical',
      suggested_fix: 'Check product pricing configuration',
      confidence: 1,
      raw_log: event,
      status: 'open',
      jira_issue_key: null,
      metadata: { request_id: event.request_id, service: 'pos-demo', log_level: 'error' },
      source_topic: topics.topic,
      source_partition: 0,
      resolved_at: null,
    });
    expect(alert.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(alert.occurred_at.toISOString()).toBe('2025-11-18T19:00:00.000Z');
    expect(alert.created_at).toBeInstanceOf(Date);
    expect(alert.updated_at).toBeInstanceOf(Date);
    await allCommitted();
  });

  it('logs the alert with request_id, topic, partition and offset', async () => {
    const event = logEvent({ error_code: 'TIMEOUT' });
    await produce(topics.topic, [{ key: event.request_id, value: encode(event) }]);
    const line = await eventually(() => {
      const found = logRecords(service).find(
        (l) => l.msg === 'alert created' && l.request_id === event.request_id,
      );
      if (!found) throw new Error('no "alert created" line yet');
      return found;
    });
    expect(line).toMatchObject({
      topic: topics.topic,
      partition: 0,
      issue_code: 'TIMEOUT',
      severity: 'info',
    });
    expect(line.offset).toMatch(/^\d+$/);
  });

  it('makes no alert for an event no rule matches, and still commits its offset', async () => {
    const quiet = logEvent({ error_code: 'CARD_DECLINED' });
    const marker = logEvent({ error_code: 'INVALID_ORDER' });
    await produce(topics.topic, [
      { key: quiet.request_id, value: encode(quiet) },
      { key: marker.request_id, value: encode(marker) },
    ]);
    await eventually(async () => expect(await alertsFor([marker.request_id])).toHaveLength(1));
    await allCommitted();
    expect(await alertsFor([quiet.request_id])).toHaveLength(0);
  });

  it('dead-letters malformed JSON and a schema violation with reason headers, then carries on', async () => {
    const { request_id: _missing, ...noRequestId } = logEvent();
    const after = logEvent({ error_code: 'DATABASE_ERROR' });
    await produce(topics.topic, [
      {
        key: 'broken-json',
        value: '{"request_id": "x", "service": ',
        headers: { origin: 'till-7' },
      },
      { key: 'no-request-id', value: JSON.stringify(noRequestId) },
      { key: after.request_id, value: encode(after) },
    ]);

    await eventually(async () => expect(await alertsFor([after.request_id])).toHaveLength(1));
    const dead = await readAll(topics.dlq, 2);
    const byKey = new Map(dead.map((m) => [m.key, m]));

    const broken = byKey.get('broken-json')!;
    expect(broken.value?.toString()).toBe('{"request_id": "x", "service": ');
    expect(broken.headers).toMatchObject({
      origin: 'till-7',
      'dlq.reason': 'INVALID_JSON',
      'dlq.source.topic': topics.topic,
      'dlq.source.partition': '0',
      'dlq.consumer.group': topics.group,
    });
    expect(broken.headers['dlq.source.offset']).toMatch(/^\d+$/);
    expect(broken.headers['dlq.error']).not.toBe('');

    const invalid = byKey.get('no-request-id')!;
    expect(invalid.headers['dlq.reason']).toBe('SCHEMA_VIOLATION');
    expect(invalid.headers['dlq.error']).toContain('request_id');
    await allCommitted();
  });

  it('stores one alert when the same event is published twice', async () => {
    const event = logEvent({ error_code: 'PRICE_MISSING' });
    const marker = logEvent({ error_code: 'TIMEOUT' });
    await produce(topics.topic, [
      { key: event.request_id, value: encode(event) },
      { key: event.request_id, value: encode(event) },
      { key: marker.request_id, value: encode(marker) },
    ]);
    await eventually(async () => expect(await alertsFor([marker.request_id])).toHaveLength(1));
    await allCommitted();
    expect(await alertsFor([event.request_id])).toHaveLength(1);
    // The unique key alone would also keep one row; the copy must be recognised as a duplicate,
    // not rejected and dead-lettered.
    const dlqEnd = [...(await endOffsets(topics.dlq)).values()].reduce((a, b) => a + b, 0n);
    const dead = await readAll(topics.dlq, Number(dlqEnd));
    expect(dead.map((m) => m.key)).not.toContain(event.request_id);
    const metrics = await (await fetch(service.url('/metrics'))).text();
    expect(
      Number(/^stacklens_alerts_duplicate_total (\d+)/m.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(1);
  });
});
