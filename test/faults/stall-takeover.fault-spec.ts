import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'kafkajs';
import { encode, logEvent } from '../factories/log-event.factory';
import { closeClients } from '../support/clients';
import { query } from '../support/database';
import { eventually } from '../support/eventually';
import { testDatabaseUrl } from '../support/infra';
import { closeKafka, committedOffsets, createTopics, endOffsets, produce } from '../support/kafka';
import { logRecords, ServiceProcess, startService } from '../support/service';
import { groupAssignment } from '../support/v2-kafka';
import {
  countedOnAlerts,
  logCount,
  occurrencesOf,
  reportFigure,
  uniqueServiceName,
} from '../support/v2-observe';

const STALL_TIMEOUT_MS = 5_000;
/** Watchdog period (a quarter of the timeout) + one reachability probe + a loaded 2-core box. */
const STALL_MARGIN_MS = 15_000;
const LEFT =
  'processing stalled and dependencies are unreachable from this pod; leaving the consumer group until they answer';
const REJOINED = 'dependencies reachable again; rejoining the consumer group';

const id = randomUUID().slice(0, 8);
const roleA = `stacklens_pod_a_${id}`;

afterAll(async () => {
  await query(`DROP OWNED BY ${roleA}`).catch(() => undefined);
  await query(`DROP ROLE IF EXISTS ${roleA}`).catch(() => undefined);
  await closeKafka();
  await closeClients();
});

const status = async (service: ServiceProcess, path: string) =>
  (await fetch(service.url(path))).status;

/** Publishes events until stopped, ~`perSecond`, spread over the partitions by key. */
function startStream(svc: string, topic: string, perSecond: number) {
  const sent: string[] = [];
  let running = true;
  const done = (async () => {
    for (let n = 0; running;) {
      const tick = Date.now();
      const messages: Message[] = [];
      for (let i = 0; i < perSecond / 10; i++, n++) {
        // Few products: one alert each, far below the storm guard's new-alerts-per-minute.
        const event = logEvent({ service: svc, product_id: `prod-${n % 4}` });
        sent.push(event.request_id);
        messages.push({ key: event.request_id, value: encode(event) });
      }
      await produce(topic, messages);
      await sleep(Math.max(0, 100 - (Date.now() - tick)));
    }
  })();
  return {
    sent,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

it('a pod that loses its database leaves the group within the stall timeout; the other takes over and nothing is lost or counted twice', async () => {
  const svc = uniqueServiceName('stall');
  const { topic, dlq, group } = await createTopics(2);
  const dbUrl = new URL(testDatabaseUrl());
  const database = dbUrl.pathname.slice(1);
  await query(`CREATE ROLE ${roleA} LOGIN`);
  await query(`GRANT CONNECT ON DATABASE ${database} TO ${roleA}`);
  await query(`GRANT USAGE ON SCHEMA public TO ${roleA}`);
  await query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${roleA}`);
  await query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${roleA}`);
  const urlA = new URL(dbUrl.toString());
  urlA.username = roleA;
  urlA.password = '';

  const env = {
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: dlq,
    KAFKA_GROUP_ID: group,
    PROCESSING_STALL_TIMEOUT: `${STALL_TIMEOUT_MS / 1000}s`,
    LOG_LEVEL: 'info',
  };
  const clientA = `pod-a-${id}`;
  const clientB = `pod-b-${id}`;
  const a = await startService({ ...env, KAFKA_CLIENT_ID: clientA, DATABASE_URL: urlA.toString() });
  const b = await startService({ ...env, KAFKA_CLIENT_ID: clientB });
  let aExited = false;
  void a.exited.then(() => (aExited = true));
  const stream = startStream(svc, topic, 50);
  try {
    await Promise.all([a.waitReady(), b.waitReady()]);
    await eventually(
      async () =>
        expect(Object.fromEntries(await groupAssignment(group, topic))).toEqual({
          [clientA]: [expect.any(Number)],
          [clientB]: [expect.any(Number)],
        }),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await eventually(async () => expect((await occurrencesOf(svc)).size).toBeGreaterThan(100));

    // Pod A's credentials stop working ("its password was changed"; trust auth ignores passwords).
    await query(`ALTER ROLE ${roleA} NOLOGIN`);
    await query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [
      roleA,
    ]);
    const brokenAt = Date.now();
    await eventually(() => expect(logCount(a, LEFT)).toBe(1), {
      timeoutMs: STALL_TIMEOUT_MS + STALL_MARGIN_MS,
      intervalMs: 100,
    });
    reportFigure('database lost to leaving the group', Date.now() - brokenAt, 'ms');
    await eventually(async () => expect(await status(a, '/readiness')).toBe(503));
    expect(await status(a, '/health')).toBe(200);
    await eventually(
      async () =>
        expect(Object.fromEntries(await groupAssignment(group, topic))).toEqual({
          [clientB]: [0, 1],
        }),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    // B makes progress on both partitions while A is out.
    const sentWhileOut = stream.sent.length;
    await eventually(
      async () => {
        const stored = await occurrencesOf(svc);
        expect(stream.sent.slice(0, sentWhileOut).filter((r) => !stored.has(r))).toEqual([]);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(await status(a, '/health')).toBe(200);

    await query(`ALTER ROLE ${roleA} LOGIN`);
    await eventually(() => expect(logCount(a, REJOINED)).toBe(1), { timeoutMs: 90_000 });
    await eventually(async () => expect(await status(a, '/readiness')).toBe(200), {
      timeoutMs: 60_000,
    });
    await stream.stop();

    const end = await endOffsets(topic);
    await eventually(
      async () => {
        const committed = await committedOffsets(group, topic);
        expect([committed.get(0), committed.get(1)]).toEqual([end.get(0), end.get(1)]);
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const stored = await occurrencesOf(svc);
    expect({
      sent: stream.sent.length,
      lost: stream.sent.filter((r) => !stored.has(r)).length,
      storedTwice: [...stored.values()].filter((n) => n > 1).length,
      countedOnAlerts: await countedOnAlerts(svc),
    }).toEqual({
      sent: stream.sent.length,
      lost: 0,
      storedTwice: 0,
      countedOnAlerts: stream.sent.length,
    });
    expect(await status(a, '/health')).toBe(200);
    expect({
      aExited,
      aShuttingDown: logRecords(a).filter((l) => l.msg === 'shutting down'),
      aLeft: logCount(a, LEFT),
    }).toEqual({ aExited: false, aShuttingDown: [], aLeft: 1 });
  } finally {
    await stream.stop();
    await a.stop();
    await b.stop();
  }
});
