import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'kafkajs';
import { ALERT_CODES, encode, logEvent, QUIET_CODES } from '../factories/log-event.factory';
import { query } from '../support/database';
import { eventually } from '../support/eventually';
import { ROOT } from '../support/infra';
import { committedOffsets, createTopics, endOffsets, produce, readAll } from '../support/kafka';

export { closeClients } from '../support/clients';

export const REPORT_FILE = join(ROOT, '.cache', 'faults', 'report.jsonl');

export interface Stream {
  topic: string;
  dlq: string;
  group: string;
  messages: Message[];
  /** request_id -> partition-independent identity of every alert-worthy event */
  alertWorthy: Set<string>;
  malformedKeys: Set<string>;
}

/** `total` messages: half alert-worthy, one in `malformedEvery` malformed, keyed for checking. */
export async function prepareStream(
  total: number,
  partitions: number,
  malformedEvery = 100,
): Promise<Stream> {
  const { topic, dlq, group } = await createTopics(partitions);
  const messages: Message[] = [];
  const alertWorthy = new Set<string>();
  const malformedKeys = new Set<string>();
  for (let i = 0; i < total; i++) {
    if (i % malformedEvery === malformedEvery - 1) {
      const key = `malformed-${i}`;
      malformedKeys.add(key);
      messages.push({ key, value: `{"request_id": "${key}", "truncated` });
      continue;
    }
    const alerting = i % 2 === 0;
    const codes = alerting ? ALERT_CODES : QUIET_CODES;
    const event = logEvent({ error_code: codes[i % codes.length] });
    if (alerting) alertWorthy.add(event.request_id);
    messages.push({ key: event.request_id, value: encode(event) });
  }
  return { topic, dlq, group, messages, alertWorthy, malformedKeys };
}

/** Publishes the stream at about `perSecond`, in the background of the scenario's faults. */
export async function streamIn(stream: Stream, perSecond: number): Promise<void> {
  const chunk = Math.max(1, Math.round(perSecond / 10));
  for (let i = 0; i < stream.messages.length; i += chunk) {
    const started = Date.now();
    await produce(stream.topic, stream.messages.slice(i, i + chunk));
    const wait = 100 - (Date.now() - started);
    if (wait > 0) await sleep(wait);
  }
}

/** The service's environment for a stream: its own topic, dead-letter topic and group. */
export function serviceEnv(
  stream: Stream,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_TOPIC: stream.topic,
    KAFKA_DLQ_TOPIC: stream.dlq,
    KAFKA_GROUP_ID: stream.group,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export async function alertCount(topic: string): Promise<number> {
  const [{ n }] = await query<{ n: string }>(
    'SELECT count(*) AS n FROM alerts WHERE source_topic = $1',
    [topic],
  );
  return Number(n);
}

/** Waits until the group has committed the whole topic and every expected alert is stored. */
export async function waitForCompletion(stream: Stream, timeoutMs = 180_000): Promise<void> {
  await eventually(
    async () => {
      const [committed, end] = [
        await committedOffsets(stream.group, stream.topic),
        await endOffsets(stream.topic),
      ];
      for (const [p, high] of end) {
        if ((committed.get(p) ?? -1n) < high)
          throw new Error(`partition ${p}: committed ${committed.get(p)} of ${high}`);
      }
      const n = await alertCount(stream.topic);
      if (n < stream.alertWorthy.size) throw new Error(`${n} of ${stream.alertWorthy.size} alerts`);
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/**
 * The at-least-once invariant, checkable at any moment, even mid-fault: every alert-worthy event
 * below its partition's committed offset has its alert. Returns the request_ids that break it.
 */
export async function lostBehindCommit(stream: Stream): Promise<string[]> {
  const placed = await readAll(stream.topic, stream.messages.length, 60_000);
  const committed = await committedOffsets(stream.group, stream.topic);
  const rows = await query<{ request_id: string }>(
    `SELECT metadata->>'request_id' AS request_id FROM alerts WHERE source_topic = $1`,
    [stream.topic],
  );
  const stored = new Set(rows.map((r) => r.request_id));
  return placed
    .filter((m) => m.offset < (committed.get(m.partition) ?? -1n))
    .map((m) => m.key ?? '')
    .filter((key) => stream.alertWorthy.has(key) && !stored.has(key));
}

export interface Outcome {
  scenario: string;
  sent: number;
  alertsExpected: number;
  alertsFound: number;
  duplicates: number;
  lost: number;
  deadLettered: number;
  deadLetterDuplicates: number;
  malformedSent: number;
}

/** Exactly one alert per alert-worthy event, none missing; every malformed message dead-lettered. */
export async function verify(scenario: string, stream: Stream): Promise<Outcome> {
  const rows = await query<{ request_id: string; n: string }>(
    `SELECT metadata->>'request_id' AS request_id, count(*) AS n FROM alerts
      WHERE source_topic = $1 GROUP BY 1`,
    [stream.topic],
  );
  const found = new Map(rows.map((r) => [r.request_id, Number(r.n)]));
  const duplicates = rows.reduce((sum, r) => sum + Number(r.n) - 1, 0);
  const lost = [...stream.alertWorthy].filter((id) => !found.has(id)).length;
  const unexpected = [...found.keys()].filter((id) => !stream.alertWorthy.has(id)).length;
  // Read to the end, not to the expected count: at-least-once may have written duplicates.
  const dlqEnd = [...(await endOffsets(stream.dlq)).values()].reduce((a, b) => a + b, 0n);
  const dead = await readAll(stream.dlq, Number(dlqEnd));
  const deadKeys = dead.map((m) => m.key ?? '');
  const outcome: Outcome = {
    scenario,
    sent: stream.messages.length,
    alertsExpected: stream.alertWorthy.size,
    alertsFound: rows.length + duplicates - unexpected,
    duplicates,
    lost,
    deadLettered: new Set(deadKeys.filter((k) => stream.malformedKeys.has(k))).size,
    deadLetterDuplicates: deadKeys.length - new Set(deadKeys).size,
    malformedSent: stream.malformedKeys.size,
  };
  mkdirSync(join(ROOT, '.cache', 'faults'), { recursive: true });
  appendFileSync(REPORT_FILE, JSON.stringify(outcome) + '\n');
  return outcome;
}

/** The assertions every scenario makes on its outcome. */
export function expectExactlyOnce(outcome: Outcome): void {
  expect({
    lost: outcome.lost,
    duplicates: outcome.duplicates,
    alertsFound: outcome.alertsFound,
    deadLettered: outcome.deadLettered,
  }).toEqual({
    lost: 0,
    duplicates: 0,
    alertsFound: outcome.alertsExpected,
    deadLettered: outcome.malformedSent,
  });
}
