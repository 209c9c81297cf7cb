import { randomUUID } from 'node:crypto';
import { Admin, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { ALERT_CODES, logEvent, QUIET_CODES } from '../test/factories/log-event.factory';
import {
  createMigratedDatabase,
  dropDatabase as dropTestDatabase,
} from '../test/support/test-database';

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const kafka = new Kafka({
  clientId: 'stacklens-bench',
  brokers: BROKERS,
  logLevel: logLevel.NOTHING,
});

export const runId = () => randomUUID().slice(0, 8);

/** A fresh, migrated database for one benchmark run. */
export const createDatabase = (name: string) => createMigratedDatabase(POSTGRES_URL, name);
export const dropDatabase = (name: string) => dropTestDatabase(POSTGRES_URL, name);

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopic(topic: string, partitions: number): Promise<void> {
  await withAdmin((a) =>
    a.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    }),
  );
}

/** ~500-byte realistic event; every other one (or all, at ratio 1) alert-worthy. */
export function benchEvent(i: number, alertRatio: number, timestamp = new Date()) {
  const alerting = (i % 1000) / 1000 < alertRatio;
  const codes = alerting ? ALERT_CODES : QUIET_CODES;
  return logEvent({
    error_code: codes[i % codes.length],
    timestamp: timestamp.toISOString(),
    request_id: `bench-${i}-${randomUUID()}`,
  });
}

/**
 * F's events as JSON text, cheaply: the load generator shares the machine with the service, and
 * building and stringifying an object per event cost it ~5 µs. Texts come from 1,000 templates
 * made by benchEvent (so codes and alert ratio are its own), with `request_id` made unique by the
 * index and `timestamp` filled in at the send.
 */
export function benchEventTexts(
  alertRatio: number,
  tag: string,
): (i: number, iso: string) => string {
  const templates = Array.from({ length: 1000 }, (_, i) => {
    const text = JSON.stringify({
      ...benchEvent(i, alertRatio),
      request_id: '@R@',
      timestamp: '@T@',
    });
    const [head, rest] = text.split('"@R@"');
    const [middle, tail] = rest.split('"@T@"');
    if (tail === undefined) throw new Error('benchEvent: request_id must precede timestamp');
    return { head: `${head}"bench-${tag}-`, middle: `"${middle}"`, tail: `"${tail}` };
  });
  return (i, iso) => {
    const t = templates[i % 1000];
    return t.head + i + t.middle + iso + t.tail;
  };
}

/**
 * Storm: every event alert-worthy (PRICE_MISSING) and in one of STORM_FINGERPRINTS problems (same
 * service, that many product ids). Its own service name keeps its alerts apart from the others.
 */
export const STORM_FINGERPRINTS = 20;
export const STORM_SERVICE = 'pos-bench-storm';

export function stormEvent(i: number) {
  return logEvent({
    service: STORM_SERVICE,
    error_code: 'PRICE_MISSING',
    product_id: `storm-prod-${i % STORM_FINGERPRINTS}`,
    request_id: `storm-${i}-${randomUUID()}`,
  });
}

type EventFactory = (i: number) => ReturnType<typeof logEvent>;

/**
 * Every MALFORMED_EVERY-th message of a prefill that asks for them is malformed, so the dead-letter
 * path is on the measured path: alternately not JSON at all (cut short) and an event without its
 * required `service`.
 */
export const MALFORMED_EVERY = 100;
export const isMalformed = (i: number) => i % MALFORMED_EVERY === MALFORMED_EVERY - 1;

function malformedValue(i: number, e: ReturnType<typeof logEvent>): string {
  if (Math.floor(i / MALFORMED_EVERY) % 2 === 0) return JSON.stringify(e).slice(0, -20);
  const { service: _, ...withoutService } = e;
  return JSON.stringify(withoutService);
}

export interface Prefilled {
  /** Valid alert-worthy events: the occurrence rows the service must store. */
  alerts: number;
  malformed: number;
}

/** Produces `count` messages made by `make` in batches, streaming: never all in memory. */
export async function prefill(
  topic: string,
  count: number,
  make: EventFactory,
  withMalformed: boolean,
): Promise<Prefilled> {
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const result: Prefilled = { alerts: 0, malformed: 0 };
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += 2000) {
    const messages = [];
    for (let j = i; j < Math.min(count, i + 2000); j++) {
      const e = make(j);
      let value = JSON.stringify(e);
      if (withMalformed && isMalformed(j)) {
        value = malformedValue(j, e);
        result.malformed++;
      } else if (ALERT_CODES.includes(e.error_code)) {
        result.alerts++;
      }
      messages.push({ key: e.request_id, value });
    }
    inFlight.push(producer.send({ topic, acks: 1, messages }));
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await producer.disconnect();
  return result;
}

let sharedAdmin: Admin | null = null;

async function admin(): Promise<Admin> {
  if (!sharedAdmin) {
    sharedAdmin = kafka.admin();
    await sharedAdmin.connect();
  }
  return sharedAdmin;
}

export async function closeShared(): Promise<void> {
  await sharedAdmin?.disconnect();
  sharedAdmin = null;
}

/** Messages in `topic` now (high minus low watermark, over its partitions). */
export async function messageCount(topic: string): Promise<bigint> {
  const offsets = await (await admin()).fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + BigInt(p.high) - BigInt(p.low), 0n);
}

/** Sum of the high watermarks: the committed total a group reaches once it has read everything. */
export async function endOffsetTotal(topic: string): Promise<bigint> {
  const offsets = await (await admin()).fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + BigInt(p.high), 0n);
}
