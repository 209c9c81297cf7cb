import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'kafkajs';
import { eventIdentity } from '../../src/events/event-identity';
import { ALERT_CODES, encode, logEvent, QUIET_CODES } from '../factories/log-event.factory';
import { query, uniqueService } from '../support/database';
import { eventually } from '../support/eventually';
import { ROOT } from '../support/infra';
import { committedOffsets, createTopics, endOffsets, produce, readAll } from '../support/kafka';

export { closeClients } from '../support/clients';

export const REPORT_FILE = join(ROOT, '.cache', 'faults', 'report.jsonl');

/**
 * What the stream's events are spread over (PRICE_MISSING by product, TIMEOUT and INVALID_ORDER
 * by endpoint): few problems with many occurrences each, as in production, and far below
 * ALERT_MAX_NEW_PER_MINUTE, so no storm guard folds a problem into an overflow alert (whose
 * fingerprint is per detector, shared with other specs' services).
 */
const PRODUCTS = 25;
const ENDPOINTS = ['/order', '/payment', '/refund'];

export interface Stream {
  topic: string;
  dlq: string;
  group: string;
  /** Every event of the stream has it; no other spec's does. */
  service: string;
  messages: Message[];
  /** Identities (eventIdentity) of the distinct alert-worthy events. */
  alertWorthy: Set<string>;
  /** Message key -> event identity, for every alert-worthy message (copies included). */
  identityOf: Map<string, string>;
  /** Re-sends of alert-worthy events already in the stream. */
  copies: number;
  malformedKeys: Set<string>;
}

/**
 * `total` messages: about half alert-worthy, one in `malformedEvery` malformed, and one in
 * `copyEvery` alert-worthy events sent again ~500 messages later under another key (so usually on
 * another partition): a producer retry, which must count once.
 */
export async function prepareStream(
  total: number,
  partitions: number,
  malformedEvery = 100,
  copyEvery = 50,
): Promise<Stream> {
  const { topic, dlq, group } = await createTopics(partitions);
  const service = uniqueService('fault');
  const messages: Message[] = [];
  const alertWorthy = new Set<string>();
  const identityOf = new Map<string, string>();
  const malformedKeys = new Set<string>();
  const copyAt = new Map<number, Message>();
  const isMalformedSlot = (i: number) => i % malformedEvery === malformedEvery - 1;
  let copies = 0;
  for (let i = 0; i < total; i++) {
    if (isMalformedSlot(i)) {
      const key = `malformed-${i}`;
      malformedKeys.add(key);
      messages.push({ key, value: `{"request_id": "${key}", "truncated` });
      continue;
    }
    const copy = copyAt.get(i);
    if (copy) {
      messages.push(copy);
      copies++;
      continue;
    }
    const alerting = i % 2 === 0;
    const codes = alerting ? ALERT_CODES : QUIET_CODES;
    // Each code comes up every tenth message: spread the problems by i / 10.
    const spread = Math.floor(i / 10);
    const event = logEvent({
      service,
      error_code: codes[i % codes.length],
      product_id: `prod-${spread % PRODUCTS}`,
      endpoint: ENDPOINTS[spread % ENDPOINTS.length],
    });
    const message = { key: event.request_id, value: encode(event) };
    messages.push(message);
    if (!alerting) continue;
    const identity = eventIdentity(event);
    alertWorthy.add(identity);
    identityOf.set(event.request_id, identity);
    if (alertWorthy.size % copyEvery === 0) {
      // An odd slot (i is even), so it replaces a quiet event; never a malformed slot.
      let at = i + 501;
      while (isMalformedSlot(at) || copyAt.has(at)) at += 2;
      const key = `${event.request_id}:copy`;
      identityOf.set(key, identity);
      copyAt.set(at, { ...message, key });
    }
  }
  return { topic, dlq, group, service, messages, alertWorthy, identityOf, copies, malformedKeys };
}

/**
 * Publishes the stream (or messages [from, to) of it) at about `perSecond`, in the background of
 * the scenario's faults.
 */
export async function streamIn(
  stream: Stream,
  perSecond: number,
  { from = 0, to = stream.messages.length }: { from?: number; to?: number } = {},
): Promise<void> {
  const chunk = Math.max(1, Math.round(perSecond / 10));
  for (let i = from; i < to; i += chunk) {
    const started = Date.now();
    await produce(stream.topic, stream.messages.slice(i, Math.min(i + chunk, to)));
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

/** Occurrences stored so far for the stream (its progress). */
export async function occurrenceCount(stream: Stream): Promise<number> {
  const [{ n }] = await query<{ n: string }>(
    `SELECT count(*) AS n FROM alert_occurrences WHERE event->>'service' = $1`,
    [stream.service],
  );
  return Number(n);
}

/** Waits until the group has committed the whole topic and every expected occurrence is stored. */
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
      const n = await occurrenceCount(stream);
      if (n < stream.alertWorthy.size)
        throw new Error(`${n} of ${stream.alertWorthy.size} occurrences`);
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/**
 * The at-least-once invariant, checkable at any moment, even mid-fault: no committed offset is
 * ahead of its occurrence, i.e. every alert-worthy message below its partition's committed offset
 * has its event's occurrence stored. Returns the keys of the messages that break it.
 */
export async function lostBehindCommit(stream: Stream): Promise<string[]> {
  const placed = await readAll(stream.topic, stream.messages.length, 60_000);
  const committed = await committedOffsets(stream.group, stream.topic);
  const rows = await query<{ event_id: string }>(
    `SELECT event_id FROM alert_occurrences WHERE event->>'service' = $1`,
    [stream.service],
  );
  const stored = new Set(rows.map((r) => r.event_id));
  return placed
    .filter((m) => m.offset < (committed.get(m.partition) ?? -1n))
    .map((m) => m.key ?? '')
    .filter((key) => stream.identityOf.has(key) && !stored.has(stream.identityOf.get(key)!));
}

export interface Outcome {
  scenario: string;
  /** Messages produced: events, copies and malformed ones. */
  messages: number;
  /** Distinct alert-worthy events sent (each must be one occurrence). */
  sent: number;
  /** Re-sends of alert-worthy events among the messages (each must count for nothing). */
  copies: number;
  /** What the alerts say: sum(alerts.occurrences) over the stream's service. */
  counted: number;
  /** Sent events with no occurrence row. */
  lost: number;
  /** Counted beyond the occurrences stored: an event counted more than once. */
  countedTwice: number;
  /** Alerts (problems) the events were counted on. */
  alerts: number;
  /** Alerts whose counter differs from the occurrence rows pointing at them. */
  miscounted: number;
  /** Occurrence rows that point at no alert of the service, or were never sent. */
  strays: number;
  deadLettered: number;
  malformedSent: number;
  /** Dead letters written more than once (dead-lettering is at-least-once): reported only. */
  deadLetterCopies: number;
}

/**
 * No occurrence lost and none counted twice: every distinct alert-worthy event sent has its
 * occurrence row, the alerts' counters add up to exactly that many (and each alert's to its own
 * rows); every malformed message dead-lettered.
 */
export async function verify(scenario: string, stream: Stream): Promise<Outcome> {
  const rows = await query<{ event_id: string; alert_id: string }>(
    `SELECT event_id, alert_id FROM alert_occurrences WHERE event->>'service' = $1`,
    [stream.service],
  );
  const alerts = await query<{ id: string; occurrences: string; rows: string }>(
    `SELECT a.id, a.occurrences,
            (SELECT count(*) FROM alert_occurrences o WHERE o.alert_id = a.id) AS rows
       FROM alerts a WHERE a.metadata->>'service' = $1`,
    [stream.service],
  );
  const stored = new Set(rows.map((r) => r.event_id));
  const alertIds = new Set(alerts.map((a) => a.id));
  const counted = alerts.reduce((sum, a) => sum + Number(a.occurrences), 0);
  // Read to the end, not to the expected count: at-least-once may have written copies.
  const dlqEnd = [...(await endOffsets(stream.dlq)).values()].reduce((a, b) => a + b, 0n);
  const dead = await readAll(stream.dlq, Number(dlqEnd));
  const deadKeys = dead.map((m) => m.key ?? '');
  const outcome: Outcome = {
    scenario,
    messages: stream.messages.length,
    sent: stream.alertWorthy.size,
    copies: stream.copies,
    counted,
    lost: [...stream.alertWorthy].filter((id) => !stored.has(id)).length,
    countedTwice: Math.max(0, counted - stored.size),
    alerts: alerts.length,
    miscounted: alerts.filter((a) => Number(a.occurrences) !== Number(a.rows)).length,
    strays: rows.filter((r) => !alertIds.has(r.alert_id) || !stream.alertWorthy.has(r.event_id))
      .length,
    deadLettered: new Set(deadKeys.filter((k) => stream.malformedKeys.has(k))).size,
    malformedSent: stream.malformedKeys.size,
    deadLetterCopies: deadKeys.length - new Set(deadKeys).size,
  };
  mkdirSync(join(ROOT, '.cache', 'faults'), { recursive: true });
  appendFileSync(REPORT_FILE, JSON.stringify(outcome) + '\n');
  return outcome;
}

/** The assertions every scenario makes on its outcome. */
export function expectNoneLostNoneCountedTwice(outcome: Outcome): void {
  expect({
    lost: outcome.lost,
    countedTwice: outcome.countedTwice,
    counted: outcome.counted,
    miscounted: outcome.miscounted,
    strays: outcome.strays,
    deadLettered: outcome.deadLettered,
  }).toEqual({
    lost: 0,
    countedTwice: 0,
    counted: outcome.sent,
    miscounted: 0,
    strays: 0,
    deadLettered: outcome.malformedSent,
  });
}
