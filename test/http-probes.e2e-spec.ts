import { encode, logEvent } from './factories/log-event.factory';
import { occurrencesOfEvents, occurrenceTotals, uniqueService } from './support/database';
import { closeClients } from './support/clients';
import { eventually } from './support/eventually';
import { testDatabaseUrl } from './support/infra';
import { committedOffsets, createTopics, endOffsets, produce } from './support/kafka';
import { logRecords, ServiceProcess, startService } from './support/service';
import { TcpProxy } from './support/tcp-proxy';

describe('HTTP probes and a database outage', () => {
  let proxy: TcpProxy;
  let service: ServiceProcess;
  let topics: { topic: string; dlq: string; group: string };

  beforeAll(async () => {
    const db = new URL(testDatabaseUrl());
    proxy = await new TcpProxy(db.hostname, Number(db.port || 5432)).start();
    db.host = `127.0.0.1:${proxy.port}`;
    topics = await createTopics(1);
    service = await startService({
      KAFKA_TOPIC: topics.topic,
      KAFKA_DLQ_TOPIC: topics.dlq,
      KAFKA_GROUP_ID: topics.group,
      DATABASE_URL: db.toString(),
      READINESS_DB_TIMEOUT_MS: '500',
    });
    await service.waitReady();
  });

  afterAll(async () => {
    await service?.stop();
    await proxy?.stop();
    await closeClients();
  });

  it('answers liveness with terminus JSON and no dependency checks', async () => {
    const res = await fetch(service.url('/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('reports ready with the consumer in its group and Postgres answering', async () => {
    const res = await fetch(service.url('/readiness'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      details: { kafka: { status: 'up' }, database: { status: 'up' } },
    });
  });

  it("serves Prometheus metrics, the service's own among them", async () => {
    const res = await fetch(service.url('/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of [
      'stacklens_messages_consumed_total',
      'stacklens_alerts_created_total',
      'stacklens_alerts_reopened_total',
      'stacklens_occurrences_total',
      'stacklens_alerts_duplicate_total',
      'stacklens_alerts_storm_folded_total',
      'stacklens_messages_dead_lettered_total',
      'stacklens_dead_letter_failures_total',
      'stacklens_partitions_parked',
      'stacklens_unknown_event_fields_total',
      'stacklens_db_write_duration_seconds',
      'stacklens_db_write_failures_total',
      'stacklens_oldest_batch_in_flight_seconds',
      'stacklens_offset_commit_duration_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('serves nothing else: 404 without a stack trace or framework banner', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/alerts'],
      ['POST', '/health'],
      ['GET', '/../../etc/passwd'],
    ]) {
      const res = await fetch(service.url(path), { method });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-powered-by')).toBeNull();
      const body = await res.text();
      expect(body).not.toMatch(/\bat .+\(|node_modules|Error:/);
    }
  });

  it('holds the offset through a database outage, turns unready, and counts the event once it is back', async () => {
    await proxy.cut();
    await eventually(async () => {
      const res = await fetch(service.url('/readiness'));
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        status: 'error',
        details: { kafka: { status: 'up' }, database: { status: 'down' } },
      });
    });

    const svc = uniqueService();
    const event = logEvent({ service: svc, error_code: 'PRICE_MISSING' });
    await produce(topics.topic, [{ key: event.request_id, value: encode(event) }]);
    const [end] = [...(await endOffsets(topics.topic)).values()];
    await eventually(() =>
      expect(
        logRecords(service).some((l) => String(l.msg).startsWith('alert writes failing')),
      ).toBe(true),
    );
    // The write is failing and being retried: the message must not be marked done.
    expect((await committedOffsets(topics.group, topics.topic)).get(0)).toBeLessThan(end);

    await proxy.restore();
    await eventually(async () => expect(await occurrencesOfEvents([event])).toHaveLength(1));
    await eventually(async () =>
      expect((await committedOffsets(topics.group, topics.topic)).get(0)).toBe(end),
    );
    expect(logRecords(service).filter((l) => l.msg === 'alert writes recovered')).toHaveLength(1);
    // Retried writes of the held batch counted the event once.
    expect(await occurrenceTotals(svc)).toEqual({ alerts: 1, counted: 1, rows: 1 });
    await eventually(async () => expect((await fetch(service.url('/readiness'))).status).toBe(200));
  });
});
