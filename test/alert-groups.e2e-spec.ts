import { Message } from 'kafkajs';
import { setTimeout as pace } from 'node:timers/promises';
import { overflowFingerprint } from '../src/alerts/alert-targets';
import { encode, logEvent } from './factories/log-event.factory';
import { closeClients } from './support/clients';
import { occurrencesOfEvents, occurrenceTotals, query, uniqueService } from './support/database';
import { eventually } from './support/eventually';
import { lockTable, urlWithStatementTimeout } from './support/groups-faults';
import { messagesIn, partitionsPerMember, rewindGroup, waitCaughtUp } from './support/groups-kafka';
import {
  activityOf,
  alertsWithFingerprint,
  GroupAlert,
  groupAlertsOf,
  logLines,
  metric,
  occurrenceRowsPerAlert,
  occurrencesWithoutAlert,
  storedEventsOf,
  storedEventsOfAlert,
} from './support/groups-observe';
import { closeKafka, createTopics, produce } from './support/kafka';
import { ServiceProcess, startService } from './support/service';

type Topics = Awaited<ReturnType<typeof createTopics>>;
type Event = ReturnType<typeof logEvent>;

const envFor = (topics: Topics, extra: Record<string, string> = {}) => ({
  KAFKA_TOPIC: topics.topic,
  KAFKA_DLQ_TOPIC: topics.dlq,
  KAFKA_GROUP_ID: topics.group,
  ...extra,
});

const keyed = (events: Array<{ request_id: string }>): Message[] =>
  events.map((e) => ({ key: e.request_id, value: encode(e) }));

/** Publishes in slices, so one produce request stays a sensible size. */
async function publish(topic: string, messages: Message[], slice = 1_000): Promise<void> {
  for (let i = 0; i < messages.length; i += slice)
    await produce(topic, messages.slice(i, i + slice));
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Resolves an alert as an operator would, straight in the database; returns resolved_at. */
async function resolveBySql(alertId: string, resolvedAt = 'now()'): Promise<Date> {
  const [row] = await query<{ resolved_at: Date }>(
    `UPDATE alerts SET status = 'resolved', resolved_at = ${resolvedAt}, resolved_by = 'test',
            resolution_reason = 'manual', version = version + 1
      WHERE id = $1 RETURNING resolved_at`,
    [alertId],
  );
  return row.resolved_at;
}

/** Waits for `service`'s alerts to be exactly `count`, and returns them. */
function alertsOnceThere(service: string, count = 1): Promise<GroupAlert[]> {
  return eventually(async () => {
    const alerts = await groupAlertsOf(service);
    expect(alerts).toHaveLength(count);
    return alerts;
  });
}

const deadLettered = (service: ServiceProcess) =>
  metric(service, 'stacklens_messages_dead_lettered_total');

describe('alert groups', () => {
  const started: ServiceProcess[] = [];
  /** A service process on its own topics, ready to consume. */
  const start = async (env: Record<string, string>) => {
    const service = await startService(env);
    started.push(service);
    await service.waitReady();
    return service;
  };

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await closeKafka();
    await closeClients();
  });

  describe('with default settings', () => {
    let topics: Topics;
    let service: ServiceProcess;

    beforeAll(async () => {
      topics = await createTopics(3);
      service = await start(envFor(topics));
    });
    afterAll(() => service.stop());

    it('groups 6,000 events into 13 alerts and counts each once through a re-publish and a replay', async () => {
      const svc = uniqueService('groups');
      const products = Array.from({ length: 10 }, (_, i) => `prod-${i}`);
      const endpoints = ['/checkout', '/payment', '/refund'];
      const hourAgo = Date.now() - 3_600_000;
      const at = () => iso(hourAgo + Math.floor(Math.random() * 3_500_000));
      const events: Event[] = [
        ...Array.from({ length: 5_000 }, (_, i) =>
          logEvent({
            service: svc,
            error_code: 'PRICE_MISSING',
            product_id: products[i % 10],
            timestamp: at(),
          }),
        ),
        ...Array.from({ length: 1_000 }, (_, i) =>
          logEvent({
            service: svc,
            error_code: 'TIMEOUT',
            endpoint: endpoints[i % 3],
            timestamp: at(),
          }),
        ),
      ];
      const labelsOf = (e: Event) =>
        e.error_code === 'TIMEOUT'
          ? { service: svc, endpoint: e.endpoint }
          : { service: svc, product_id: e.product_id };
      const expected = new Map<string, { count: number; first: number; last: number }>();
      for (const e of events) {
        const key = JSON.stringify(labelsOf(e));
        const t = Date.parse(e.timestamp);
        const g = expected.get(key) ?? { count: 0, first: t, last: t };
        expected.set(key, {
          count: g.count + 1,
          first: Math.min(g.first, t),
          last: Math.max(g.last, t),
        });
      }
      const messages = keyed(events);
      const alreadyInTopic = await messagesIn(topics.topic);

      await publish(topics.topic, messages);
      await eventually(
        async () =>
          expect(await occurrenceTotals(svc)).toEqual({ alerts: 13, counted: 6_000, rows: 6_000 }),
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      await waitCaughtUp(topics.group, topics.topic);

      const alerts = await groupAlertsOf(svc);
      const rows = await occurrenceRowsPerAlert(svc);
      const seen = alerts.map((a) => ({
        detector: a.detector,
        labels: a.group_labels,
        occurrences: a.occurrences,
        rows: rows.get(a.id),
        first_seen_at: a.first_seen_at.getTime(),
        last_seen_at: a.last_seen_at.getTime(),
      }));
      const wanted = [...expected].map(([key, g]) => {
        const labels = JSON.parse(key) as Record<string, string>;
        return {
          detector: labels.endpoint ? 'timeout' : 'price-missing',
          labels,
          occurrences: g.count,
          rows: g.count,
          first_seen_at: g.first,
          last_seen_at: g.last,
        };
      });
      const byLabels = (a: { labels: object }, b: { labels: object }) =>
        JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels));
      expect(seen.sort(byLabels)).toEqual(wanted.sort(byLabels));

      // A producer re-publishes everything, then an operator replays the topic from the start.
      expect(await service.stop('SIGTERM')).toBe(0);
      await publish(topics.topic, messages);
      const inTopic = await messagesIn(topics.topic);
      expect(inTopic).toBe(alreadyInTopic + 12_000);
      await rewindGroup(topics.group, topics.topic);
      service = await start(envFor(topics));
      await waitCaughtUp(topics.group, topics.topic, 180_000);

      // Every message of the topic is alert-worthy and was counted before: all are duplicates.
      expect(await metric(service, 'stacklens_alerts_duplicate_total')).toBe(inTopic);
      expect(await metric(service, 'stacklens_occurrences_total')).toBe(0);
      expect(await metric(service, 'stacklens_alerts_created_total')).toBe(0);
      expect(await occurrenceTotals(svc)).toEqual({ alerts: 13, counted: 6_000, rows: 6_000 });
      const after = await groupAlertsOf(svc);
      expect(after.map((a) => [a.id, a.occurrences, a.first_seen_at, a.last_seen_at])).toEqual(
        alerts.map((a) => [a.id, a.occurrences, a.first_seen_at, a.last_seen_at]),
      );
    });

    it('keeps a field outside the contract, counts it, and logs its name once', async () => {
      const svc = uniqueService('groups-tolerant');
      const events = [1, 2].map(() => ({ ...logEvent({ service: svc }), firmware: '4.2.1' }));
      const dlqBefore = await messagesIn(topics.dlq);

      await publish(topics.topic, keyed(events));
      const stored = await eventually(async () => {
        const stored = await storedEventsOf(svc);
        expect(stored).toHaveLength(2);
        return stored;
      });

      expect(stored.map((e) => e.firmware)).toEqual(['4.2.1', '4.2.1']);
      expect(await messagesIn(topics.dlq)).toBe(dlqBefore);
      expect(await deadLettered(service)).toBe(0);
      expect(
        await metric(service, 'stacklens_unknown_event_fields_total', { field: 'firmware' }),
      ).toBeGreaterThanOrEqual(2);
      expect(logLines(service, 'warn', (r) => r.field === 'firmware')).toHaveLength(1);
    });

    it('stores an event as its producer wrote it and counts a copy with a microsecond timestamp once', async () => {
      const svc = uniqueService('groups-verbatim');
      const event = logEvent({ service: svc, timestamp: '2026-11-28T10:00:00.123456Z' });
      // Written by hand: parsing and serialising again would turn 1.10 into 1.1.
      const raw = JSON.stringify(event).replace(/}$/, ',"amount":1.10}');
      const duplicates = () => metric(service, 'stacklens_alerts_duplicate_total');
      const before = await duplicates();

      await produce(topics.topic, [{ key: event.request_id, value: raw }]);
      await produce(topics.topic, [{ key: event.request_id, value: raw }]);
      await eventually(async () => expect(await duplicates()).toBe(before + 1));

      const rows = await query<{ amount: string; event_time: Date }>(
        `SELECT event->>'amount' AS amount, event_time
           FROM alert_occurrences WHERE event->>'service' = $1`,
        [svc],
      );
      expect(rows.map((r) => [r.amount, r.event_time.toISOString()])).toEqual([
        ['1.10', '2026-11-28T10:00:00.123Z'],
      ]);
      const [alert] = await alertsOnceThere(svc);
      expect(alert.occurrences).toBe(1);
    });

    it('stores the received bytes of an event with a byte order mark and non-ASCII text', async () => {
      const svc = uniqueService('groups-bom');
      const event = logEvent({ service: svc, message: 'Preis fehlt für Café ☕ 価格' });
      // The parser's decoder skips a BOM; jsonb refuses one, so the writer must drop it too.
      await produce(topics.topic, [
        { key: event.request_id, value: `\ufeff${JSON.stringify(event)}` },
      ]);

      const [alert] = await alertsOnceThere(svc);
      expect(alert.occurrences).toBe(1);
      const rows = await query<{ message: string }>(
        `SELECT event->>'message' AS message FROM alert_occurrences WHERE event->>'service' = $1`,
        [svc],
      );
      expect(rows).toEqual([{ message: 'Preis fehlt für Café ☕ 価格' }]);
    });

    it('tells events apart by identity: a changed message is new, a copy or a reused event_id is not', async () => {
      const svc = uniqueService('groups-identity');
      const duplicates = () => metric(service, 'stacklens_alerts_duplicate_total');

      // Same request, same millisecond, different message: two events.
      const base = logEvent({ service: svc, product_id: 'prod-twins' });
      const twins = [
        { ...base, message: 'Product price is null' },
        { ...base, message: 'Product price is null (retry)' },
      ];
      await publish(topics.topic, keyed(twins));
      await eventually(async () => expect(await occurrencesOfEvents(twins)).toHaveLength(2));

      // The same bytes published twice: one event.
      const copy = logEvent({ service: svc, product_id: 'prod-copy' });
      const before = await duplicates();
      await publish(topics.topic, keyed([copy]));
      await publish(topics.topic, keyed([copy]));
      await eventually(async () => expect(await duplicates()).toBe(before + 1));

      // Different payloads under one event_id and timestamp: one event. The timestamp is shared
      // on purpose: the key is (event_time, event_id), so another time would be another event.
      const eventId = `evt-${uniqueService()}`;
      const timestamp = new Date().toISOString();
      const sameId = [
        logEvent({ service: svc, product_id: 'prod-same-id', event_id: eventId, timestamp }),
        logEvent({
          service: svc,
          product_id: 'prod-same-id',
          event_id: eventId,
          timestamp,
          message: 'x',
        }),
      ];
      await publish(topics.topic, keyed(sameId));
      await eventually(async () => expect(await duplicates()).toBe(before + 2));
      await waitCaughtUp(topics.group, topics.topic);

      const alerts = await groupAlertsOf(svc);
      const count = (product: string) =>
        alerts.find((a) => a.group_labels.product_id === product)?.occurrences;
      expect({
        twins: count('prod-twins'),
        copy: count('prod-copy'),
        sameId: count('prod-same-id'),
        rows: (await storedEventsOf(svc)).length,
      }).toEqual({ twins: 2, copy: 1, sameId: 1, rows: 4 });
      expect(await occurrencesOfEvents([copy])).toHaveLength(1);
      expect(await occurrencesOfEvents(sameId)).toHaveLength(1);
    });

    it('reopens a resolved alert on a new event within the reopen window', async () => {
      const svc = uniqueService('groups-reopen');
      await publish(topics.topic, keyed([logEvent({ service: svc, product_id: 'prod-r' })]));
      const [alert] = await alertsOnceThere(svc);
      const resolvedAt = await resolveBySql(alert.id);

      const regression = logEvent({
        service: svc,
        product_id: 'prod-r',
        timestamp: iso(Math.max(Date.now(), resolvedAt.getTime() + 1)),
      });
      await publish(topics.topic, keyed([regression]));
      const [reopened] = await eventually(async () => {
        const alerts = await alertsOnceThere(svc);
        expect(alerts[0].status).toBe('open');
        return alerts;
      });

      expect(reopened).toMatchObject({
        id: alert.id,
        status: 'open',
        reopen_count: 1,
        occurrences: 2,
        resolved_at: null,
        resolved_by: null,
        resolution_reason: null,
      });
      expect(await alertsWithFingerprint(alert.fingerprint)).toHaveLength(1);
      expect(await activityOf(alert.id)).toEqual([
        { from_status: null, to_status: 'open', action: 'opened', actor: 'system', reason: null },
        {
          from_status: 'resolved',
          to_status: 'open',
          action: 'reopened',
          actor: 'system',
          reason: 'regression',
        },
      ]);
    });

    it('counts a late event on a resolved alert without reopening it or moving last_seen_at back', async () => {
      const svc = uniqueService('groups-late');
      const seenAt = Date.now() - 10 * 60_000;
      await publish(
        topics.topic,
        keyed([logEvent({ service: svc, product_id: 'prod-l', timestamp: iso(seenAt) })]),
      );
      const [alert] = await alertsOnceThere(svc);
      const resolvedAt = await resolveBySql(alert.id);

      const lateAt = seenAt - 5 * 60_000;
      await publish(
        topics.topic,
        keyed([logEvent({ service: svc, product_id: 'prod-l', timestamp: iso(lateAt) })]),
      );
      const [late] = await eventually(async () => {
        const alerts = await alertsOnceThere(svc);
        expect(alerts[0].occurrences).toBe(2);
        return alerts;
      });

      expect({
        status: late.status,
        resolved_at: late.resolved_at?.getTime(),
        reopen_count: late.reopen_count,
        version: late.version,
        first_seen_at: late.first_seen_at.getTime(),
        last_seen_at: late.last_seen_at.getTime(),
      }).toEqual({
        status: 'resolved',
        resolved_at: resolvedAt.getTime(),
        reopen_count: 0,
        version: alert.version + 1,
        first_seen_at: lateAt,
        last_seen_at: seenAt,
      });
      expect((await activityOf(alert.id)).map((a) => a.action)).toEqual(['opened']);
    });
  });

  it('two instances counting one problem on both partitions make one alert with every occurrence', async () => {
    const topics = await createTopics(2);
    const svc = uniqueService('groups-pair');
    const instances = [
      await start(envFor(topics, { KAFKA_CLIENT_ID: 'groups-pair-a' })),
      await start(envFor(topics, { KAFKA_CLIENT_ID: 'groups-pair-b' })),
    ];
    try {
      // Only with one partition each do the two processes race to open the same fingerprint.
      await eventually(
        async () =>
          expect((await partitionsPerMember(topics.group, topics.topic)).sort()).toEqual([
            [0],
            [1],
          ]),
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      // A few rounds, each a new problem reaching both idle instances at once: each round is a
      // chance for both to find no alert and try to open one.
      const rounds = 5;
      const perPartition = 60;
      for (let round = 0; round < rounds; round++) {
        const messages = Array.from({ length: 2 * perPartition }, (_, i) => {
          const event = logEvent({ service: svc, product_id: `prod-shared-${round}` });
          return { partition: i % 2, key: event.request_id, value: encode(event) };
        });
        await publish(topics.topic, messages);
        await waitCaughtUp(topics.group, topics.topic);
      }

      const alerts = await groupAlertsOf(svc);
      expect(alerts.map((a) => [a.group_labels.product_id, a.occurrences]).sort()).toEqual(
        Array.from({ length: rounds }, (_, r) => [`prod-shared-${r}`, 2 * perPartition]),
      );
      expect(await occurrenceTotals(svc)).toEqual({
        alerts: rounds,
        counted: rounds * 2 * perPartition,
        rows: rounds * 2 * perPartition,
      });
      // Each process counted its own partition.
      expect(
        await Promise.all(instances.map((s) => metric(s, 'stacklens_occurrences_total'))),
      ).toEqual([rounds * perPartition, rounds * perPartition]);
    } finally {
      await Promise.all(instances.map((s) => s.stop()));
    }
  });

  it('opens a new alert, leaving the old one resolved, when a problem recurs after the reopen window', async () => {
    const topics = await createTopics(1);
    const service = await start(envFor(topics, { ALERT_REOPEN_WINDOW: '1s' }));
    try {
      const svc = uniqueService('groups-window');
      const firstAt = Date.now() - 5 * 60_000;
      await publish(
        topics.topic,
        keyed([logEvent({ service: svc, product_id: 'prod-w', timestamp: iso(firstAt) })]),
      );
      const [old] = await alertsOnceThere(svc);
      await resolveBySql(old.id, `now() - interval '1 minute'`);

      await publish(topics.topic, keyed([logEvent({ service: svc, product_id: 'prod-w' })]));
      const [resolved, fresh] = await alertsOnceThere(svc, 2);

      expect(resolved).toMatchObject({
        id: old.id,
        status: 'resolved',
        resolution_reason: 'manual',
        reopen_count: 0,
        occurrences: 1,
      });
      expect(fresh).toMatchObject({
        fingerprint: old.fingerprint,
        status: 'open',
        reopen_count: 0,
        occurrences: 1,
      });
      expect(fresh.id).not.toBe(old.id);
      expect((await activityOf(old.id)).map((a) => a.action)).toEqual(['opened']);
    } finally {
      await service.stop();
    }
  });

  it('resolves a quiet alert by itself, once, and leaves an alert that keeps firing open', async () => {
    const topics = await createTopics(1);
    const service = await start(envFor(topics, { ALERT_AUTO_RESOLVE_AFTER: '2s' }));
    try {
      const svc = uniqueService('groups-quiet');
      const busyEvent = () => logEvent({ service: svc, product_id: 'prod-busy' });
      await publish(
        topics.topic,
        keyed([logEvent({ service: svc, product_id: 'prod-quiet' }), busyEvent()]),
      );
      const byProduct = async () =>
        new Map((await groupAlertsOf(svc)).map((a) => [a.group_labels.product_id, a]));
      await eventually(async () => expect((await byProduct()).size).toBe(2));

      // The busy problem fires every 500 ms for 6 s, three quiet periods: it must stay open
      // throughout. The pause paces the producer; nothing is waited for with it.
      for (let i = 0; i < 12; i++) {
        await pace(500);
        await publish(topics.topic, keyed([busyEvent()]));
        expect((await byProduct()).get('prod-busy')?.status).toBe('open');
      }
      await waitCaughtUp(topics.group, topics.topic);

      const alerts = await byProduct();
      const quiet = alerts.get('prod-quiet')!;
      const busy = alerts.get('prod-busy')!;
      expect(quiet).toMatchObject({
        status: 'resolved',
        resolution_reason: 'quiet',
        resolved_by: 'system',
        occurrences: 1,
      });
      expect(busy).toMatchObject({ status: 'open', occurrences: 13 });
      // Resolved seconds ago and swept many times since: still exactly one resolution.
      expect(await activityOf(quiet.id)).toEqual([
        { from_status: null, to_status: 'open', action: 'opened', actor: 'system', reason: null },
        {
          from_status: 'open',
          to_status: 'resolved',
          action: 'resolved',
          actor: 'system',
          reason: 'quiet',
        },
      ]);
      expect((await activityOf(busy.id)).map((a) => a.action)).toEqual(['opened']);

      // Once it stops firing, the busy one goes quiet too: it stayed open because of its events.
      await eventually(
        async () => expect((await byProduct()).get('prod-busy')?.status).toBe('resolved'),
        {
          timeoutMs: 15_000,
        },
      );
    } finally {
      await service.stop();
    }
  });

  it('folds new problems past ALERT_MAX_NEW_PER_MINUTE into one overflow alert', async () => {
    const topics = await createTopics(1);
    const service = await start(envFor(topics, { ALERT_MAX_NEW_PER_MINUTE: '5' }));
    try {
      const svc = uniqueService('groups-storm');
      // The overflow alert is per detector, shared by every spec: measure what this test adds.
      const overflowFp = overflowFingerprint('price-missing');
      const totals = async () => {
        const rows = await alertsWithFingerprint(overflowFp);
        return {
          occurrences: rows.reduce((n, a) => n + a.occurrences, 0),
          folded: rows.reduce((n, a) => n + a.folded_fingerprints, 0),
        };
      };
      const before = await totals();
      const events = Array.from({ length: 50 }, (_, i) =>
        logEvent({ service: svc, product_id: `prod-storm-${i}` }),
      );

      await publish(topics.topic, keyed(events));
      await eventually(async () => expect(await storedEventsOf(svc)).toHaveLength(50));
      await waitCaughtUp(topics.group, topics.topic);

      const regular = await groupAlertsOf(svc);
      const after = await totals();
      const [overflow] = (await alertsWithFingerprint(overflowFp)).filter(
        (a) => a.status !== 'resolved',
      );
      const rows = await occurrenceRowsPerAlert(svc);
      expect(regular.length).toBeLessThanOrEqual(5);
      expect(regular.every((a) => !a.overflow && a.occurrences === 1)).toBe(true);
      expect(overflow).toMatchObject({
        overflow: true,
        group_labels: { overflow: 'true', detector: 'price-missing' },
      });
      expect({
        counted:
          regular.reduce((n, a) => n + a.occurrences, 0) + after.occurrences - before.occurrences,
        folded: after.folded - before.folded,
        onOverflow: rows.get(overflow.id),
        alertsHoldingRows: rows.size,
      }).toEqual({
        counted: 50,
        folded: 45,
        onOverflow: 45,
        alertsHoldingRows: regular.length + 1,
      });
      expect(
        logLines(
          service,
          'warn',
          (r) => String(r.msg).includes('storm guard') && r.detector === 'price-missing',
        ),
      ).toHaveLength(1);
      expect(
        await metric(service, 'stacklens_alerts_storm_folded_total', { detector: 'price-missing' }),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await service.stop();
    }
  });

  it('stores an event larger than RAW_LOG_MAX_BYTES as a preview cut at a character boundary', async () => {
    const topics = await createTopics(1);
    const service = await start(envFor(topics, { RAW_LOG_MAX_BYTES: '1024' }));
    try {
      const svc = uniqueService('groups-big');
      const emoji = '\u{1F600}';
      const shell = logEvent({ service: svc, product_id: 'prod-big', message: '' });
      const head = Buffer.byteLength(JSON.stringify(shell).split('"message":"')[0] + '"message":"');
      // The emoji takes bytes 1022-1025: the 1,024-byte cut falls in its middle.
      const event = { ...shell, message: 'x'.repeat(1022 - head) + emoji + 'y'.repeat(500) };
      const bytes = Buffer.from(JSON.stringify(event));
      expect(bytes.subarray(1022, 1026).toString()).toBe(emoji);

      await publish(topics.topic, keyed([event]));
      const [alert] = await alertsOnceThere(svc);

      expect(alert.raw_log).toEqual({
        truncated: true,
        original_bytes: bytes.length,
        preview: bytes.subarray(0, 1022).toString(),
      });
      expect(alert.metadata.raw_log_truncated).toBe(true);
      const preview = alert.raw_log.preview as string;
      expect(preview).not.toMatch(
        /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFD/,
      );
      expect(await deadLettered(service)).toBe(0);
      // The occurrence holds the same preview (its event no longer has a readable service field).
      expect(await storedEventsOfAlert(alert.id)).toEqual([alert.raw_log]);
    } finally {
      await service.stop();
    }
  });

  // Faults of the write path, injected by holding a lock on alert_occurrences so the service's
  // occurrence INSERT waits past a timeout; the batch is then retried once the lock is gone.
  describe('a batch write that times out and is retried', () => {
    const failedWrites = (service: ServiceProcess) =>
      logLines(service, 'debug', (r) => r.msg === 'batch write failed').length;

    it('still opens the alert and counts every event after DATABASE_QUERY_TIMEOUT_MS expired', async () => {
      const topics = await createTopics(1);
      const service = await start(envFor(topics, { DATABASE_QUERY_TIMEOUT_MS: '300' }));
      const lock = await lockTable('alert_occurrences');
      try {
        const svc = uniqueService('groups-timeout');
        const events = Array.from({ length: 10 }, () =>
          logEvent({ service: svc, product_id: 'prod-timeout' }),
        );
        await publish(topics.topic, keyed(events));
        await eventually(() => expect(failedWrites(service)).toBeGreaterThan(0));
        await lock.release();
        await waitCaughtUp(topics.group, topics.topic);

        expect({
          alerts: (await groupAlertsOf(svc)).map((a) => a.occurrences),
          rows: (await storedEventsOf(svc)).length,
          rowsWithoutAlert: await occurrencesWithoutAlert(svc),
        }).toEqual({ alerts: [10], rows: 10, rowsWithoutAlert: 0 });
      } finally {
        await lock.release();
        await service.stop();
      }
    });

    it('storm guard gives back the admissions of a write that rolled back', async () => {
      const topics = await createTopics(1);
      const service = await start(
        envFor(topics, {
          ALERT_MAX_NEW_PER_MINUTE: '5',
          // Server-side: the statement is cancelled and its transaction really rolls back.
          DATABASE_URL: urlWithStatementTimeout(300),
        }),
      );
      const lock = await lockTable('alert_occurrences');
      try {
        const svc = uniqueService('groups-storm-retry');
        const events = Array.from({ length: 50 }, (_, i) =>
          logEvent({ service: svc, error_code: 'INVALID_ORDER', endpoint: `/orders/${i}` }),
        );
        await publish(topics.topic, keyed(events));
        await eventually(() => expect(failedWrites(service)).toBeGreaterThan(0));
        await lock.release();
        await waitCaughtUp(topics.group, topics.topic);

        expect(await storedEventsOf(svc)).toHaveLength(50);
        // No alert was opened by the rolled-back attempt, so the cap is still all there.
        expect((await groupAlertsOf(svc)).map((a) => a.occurrences)).toEqual([1, 1, 1, 1, 1]);
      } finally {
        await lock.release();
        await service.stop();
      }
    });
  });
});
