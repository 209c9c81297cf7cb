import { eventIdentity } from '../src/events/event-identity';
import { encode, logEvent } from './factories/log-event.factory';
import {
  alertsOf,
  occurrencesOf,
  occurrencesOfEvents,
  occurrenceTotals,
  uniqueService,
} from './support/database';
import { closeClients } from './support/clients';
import { eventually } from './support/eventually';
import { committedOffsets, createTopics, endOffsets, produce, readAll } from './support/kafka';
import { logRecords, ServiceProcess, startService } from './support/service';

describe('pos-logs -> alerts and occurrences (real Kafka, real Postgres)', () => {
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

  /** One row per event: the occurrences of `events`, once all of them are stored. */
  const storedOnce = (events: object[]) =>
    eventually(async () => {
      const rows = await occurrencesOfEvents(events);
      expect(rows.map((r) => r.event_id).sort()).toEqual(events.map(eventIdentity).sort());
      return rows;
    });

  const counter = async (name: string) => {
    const text = await (await fetch(service.url('/metrics'))).text();
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  };

  it('turns an alert-worthy event into one alert (the problem) and one occurrence, every field right', async () => {
    const svc = uniqueService();
    const event = logEvent({
      service: svc,
      error_code: 'PRICE_MISSING',
      timestamp: '2025-11-18T19:00:00Z',
    });
    await produce(topics.topic, [{ key: event.request_id, value: encode(event) }]);

    const [occurrence] = await storedOnce([event]);
    const alerts = await alertsOf(svc);
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert).toMatchObject({
      detector: 'price-missing',
      group_labels: { service: svc, product_id: event.product_id },
      issue_code: 'PRICE_MISSING',
      severity: 'critical',
      suggested_fix: 'Check product pricing configuration',
      confidence: 1,
      raw_log: event,
      last_event: event,
      status: 'open',
      occurrences: '1',
      reopen_count: 0,
      jira_issue_key: null,
      metadata: { request_id: event.request_id, service: svc, log_level: 'error' },
      resolved_at: null,
      overflow: false,
    });
    expect(alert.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(alert.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(alert.first_seen_at.toISOString()).toBe('2025-11-18T19:00:00.000Z');
    expect(alert.last_seen_at.toISOString()).toBe('2025-11-18T19:00:00.000Z');
    expect(alert.created_at).toBeInstanceOf(Date);
    expect(alert.updated_at).toBeInstanceOf(Date);

    expect(occurrence).toMatchObject({
      event_id: eventIdentity(event),
      alert_id: alert.id,
      source_topic: topics.topic,
      source_partition: 0,
      event,
    });
    expect(occurrence.event_time.toISOString()).toBe('2025-11-18T19:00:00.000Z');
    expect(occurrence.source_offset).toMatch(/^\d+$/);
    await allCommitted();
  });

  it('counts further events of one problem on its alert, and opens a second alert for another problem', async () => {
    const svc = uniqueService();
    const first = logEvent({
      service: svc,
      product_id: 'prod-a',
      timestamp: '2026-01-01T10:00:00Z',
    });
    const again = logEvent({
      service: svc,
      product_id: 'prod-a',
      timestamp: '2026-01-01T10:05:00Z',
      message: 'Product price is still null',
    });
    const earlier = logEvent({
      service: svc,
      product_id: 'prod-a',
      timestamp: '2026-01-01T09:00:00Z',
    });
    const other = logEvent({ service: svc, product_id: 'prod-b' });
    for (const e of [first, again, earlier, other]) {
      // One message at a time, so they land in separate batches and each updates a stored alert.
      await produce(topics.topic, [{ key: e.request_id, value: encode(e) }]);
      await storedOnce([e]);
    }

    const alerts = await alertsOf(svc);
    expect(alerts.map((a) => [a.group_labels.product_id, a.occurrences])).toEqual([
      ['prod-a', '3'],
      ['prod-b', '1'],
    ]);
    const [a] = alerts;
    // raw_log stays the opening event; last_event and the seen range follow event time.
    expect(a).toMatchObject({ raw_log: first, last_event: again });
    expect(a.first_seen_at.toISOString()).toBe('2026-01-01T09:00:00.000Z');
    expect(a.last_seen_at.toISOString()).toBe('2026-01-01T10:05:00.000Z');
    const rows = await occurrencesOf(svc);
    expect(rows.filter((r) => r.alert_id === a.id)).toHaveLength(3);
    expect(await occurrenceTotals(svc)).toEqual({ alerts: 2, counted: 4, rows: 4 });
    await allCommitted();
  });

  it('logs the new alert by id, and its occurrence leads back to the Kafka message', async () => {
    const svc = uniqueService();
    const event = logEvent({ service: svc, error_code: 'TIMEOUT' });
    await produce(topics.topic, [{ key: event.request_id, value: encode(event) }]);
    const [occurrence] = await storedOnce([event]);
    const line = await eventually(() => {
      const found = logRecords(service).find(
        (l) =>
          l.msg === 'alerts changed' &&
          Array.isArray(l.alert_ids) &&
          l.alert_ids.includes(occurrence.alert_id),
      );
      if (!found) throw new Error('no "alerts changed" line naming the alert yet');
      return found;
    });
    expect(line).toMatchObject({ opened: 1, occurrences: 1 });
    const [alert] = await alertsOf(svc);
    expect(alert).toMatchObject({
      id: occurrence.alert_id,
      issue_code: 'TIMEOUT',
      severity: 'info',
    });
    expect(occurrence).toMatchObject({ source_topic: topics.topic, source_partition: 0 });
  });

  it('makes no alert for an event no rule matches, and still commits its offset', async () => {
    const svc = uniqueService();
    const quiet = logEvent({ service: svc, error_code: 'CARD_DECLINED' });
    const marker = logEvent({ service: svc, error_code: 'INVALID_ORDER' });
    await produce(topics.topic, [
      { key: quiet.request_id, value: encode(quiet) },
      { key: marker.request_id, value: encode(marker) },
    ]);
    await storedOnce([marker]);
    await allCommitted();
    expect((await occurrencesOf(svc)).map((r) => r.event_id)).toEqual([eventIdentity(marker)]);
    expect((await alertsOf(svc)).map((a) => a.issue_code)).toEqual(['INVALID_ORDER']);
  });

  it('dead-letters malformed JSON and a schema violation with reason headers, then carries on', async () => {
    const svc = uniqueService();
    const { request_id: _missing, ...noRequestId } = logEvent({ service: svc });
    const after = logEvent({ service: svc, error_code: 'DATABASE_ERROR' });
    await produce(topics.topic, [
      {
        key: 'broken-json',
        value: '{"request_id": "x", "service": ',
        headers: { origin: 'till-7' },
      },
      { key: 'no-request-id', value: JSON.stringify(noRequestId) },
      { key: after.request_id, value: encode(after) },
    ]);

    await storedOnce([after]);
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
    // Only the good event counted.
    expect(await occurrenceTotals(svc)).toEqual({ alerts: 1, counted: 1, rows: 1 });
  });

  it('counts an event published twice once, and the copy as a duplicate (not a dead letter)', async () => {
    const svc = uniqueService();
    const event = logEvent({ service: svc, error_code: 'PRICE_MISSING' });
    const marker = logEvent({ service: svc, error_code: 'TIMEOUT' });
    await allCommitted();
    const [duplicatesBefore, occurrencesBefore] = [
      await counter('stacklens_alerts_duplicate_total'),
      await counter('stacklens_occurrences_total'),
    ];
    await produce(topics.topic, [{ key: event.request_id, value: encode(event) }]);
    await storedOnce([event]);
    // The copy comes in a later batch, after the first one is stored (a redelivery or a
    // producer retry), and again in one batch with the marker.
    await produce(topics.topic, [
      { key: event.request_id, value: encode(event) },
      { key: event.request_id, value: encode(event) },
      { key: marker.request_id, value: encode(marker) },
    ]);
    await storedOnce([marker]);
    await allCommitted();

    expect(await occurrencesOfEvents([event])).toHaveLength(1);
    expect(await occurrenceTotals(svc)).toEqual({ alerts: 2, counted: 2, rows: 2 });
    // The primary key alone would also keep one row; the copies must be recognised as
    // duplicates, not rejected and dead-lettered.
    const dlqEnd = [...(await endOffsets(topics.dlq)).values()].reduce((a, b) => a + b, 0n);
    const dead = await readAll(topics.dlq, Number(dlqEnd));
    expect(dead.map((m) => m.key)).not.toContain(event.request_id);
    await eventually(async () => {
      expect((await counter('stacklens_alerts_duplicate_total')) - duplicatesBefore).toBe(2);
      expect((await counter('stacklens_occurrences_total')) - occurrencesBefore).toBe(2);
    });
  });

  it('takes event_id as the identity: a re-send with the same event_id counts once', async () => {
    const svc = uniqueService();
    const event = { ...logEvent({ service: svc }), event_id: `evt-${svc}` };
    // Same id, same event time, different content (e.g. re-serialised by a retrying producer).
    const resent = { ...event, message: `${event.message} (retried)` };
    const marker = logEvent({ service: svc, error_code: 'TIMEOUT' });
    await produce(topics.topic, [{ key: event.request_id, value: encode(event) }]);
    await storedOnce([event]);
    await produce(topics.topic, [
      { key: event.request_id, value: encode(resent) },
      { key: marker.request_id, value: encode(marker) },
    ]);
    await storedOnce([marker]);
    await allCommitted();
    const [row] = await occurrencesOfEvents([event]);
    expect(row.event).toEqual(event);
    expect(await occurrenceTotals(svc)).toEqual({ alerts: 2, counted: 2, rows: 2 });
  });

  it('counts an event_id re-sent with another timestamp as its own occurrence, whatever the batches', async () => {
    // The occurrence key is (identity, event time): copies of one event share both; an id reused
    // for another moment is another occurrence. The count must not depend on batch boundaries.
    const svc = uniqueService();
    const event = {
      ...logEvent({ service: svc, timestamp: '2026-11-28T10:00:00Z' }),
      event_id: `evt-${svc}`,
    };
    const restamped = { ...event, timestamp: '2026-11-28T10:00:01Z' };
    const sameBatch = { ...event, event_id: `evt2-${svc}` };
    const sameBatchRestamped = { ...sameBatch, timestamp: '2026-11-28T10:00:01Z' };
    const marker = logEvent({ service: svc, error_code: 'TIMEOUT' });
    await produce(topics.topic, [{ key: event.request_id, value: encode(event) }]);
    await storedOnce([event]);
    await produce(topics.topic, [
      { key: event.request_id, value: encode(restamped) },
      { key: event.request_id, value: encode(sameBatch) },
      { key: event.request_id, value: encode(sameBatchRestamped) },
      { key: marker.request_id, value: encode(marker) },
    ]);
    await storedOnce([marker]);
    await allCommitted();
    expect(await occurrenceTotals(svc)).toEqual({ alerts: 2, counted: 5, rows: 5 });
  });
});
