import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { Partitioners } from 'kafkajs';
import { benchEvent, createTopic, kafka, lag, runId } from './bench-env';
import { ProcessSampler } from './process-sampler';
import { query, serviceEnv, spawnNode, stop } from './service-process';

export interface Run {
  eventsPerSecond: number;
  seconds: number;
  peakRssMb: number;
  avgCpuCores: number;
}

/** One row per alert-worthy event stored, so this is what "done" is measured against. */
async function occurrenceCount(databaseUrl: string): Promise<number> {
  const rows = await query<{ n: string }>(
    databaseUrl,
    'SELECT count(*) AS n FROM alert_occurrences',
  );
  return Number(rows[0].n);
}

/** A run that neither commits nor stores anything for this long is reported as hung. */
const STALL_MS = 120_000;

/**
 * D, E and the storm: this service from a cold start (process spawn) until the group has
 * committed every offset and, unless `expectedOccurrences` is null (E: all already stored), the
 * occurrences table holds that many rows.
 */
export async function runService(
  databaseUrl: string,
  topic: string,
  count: number,
  expectedOccurrences: number | null,
): Promise<Run> {
  const group = `bench-svc-${runId()}`;
  const started = performance.now();
  const child = spawnNode('dist/src/main.js', serviceEnv(databaseUrl, topic, group));
  const sampler = new ProcessSampler(child.pid!);
  try {
    let progress = '';
    let progressAt = performance.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
      const behind = await lag(group, topic);
      const stored = expectedOccurrences === null ? 0 : await occurrenceCount(databaseUrl);
      if (behind === 0n && (expectedOccurrences === null || stored >= expectedOccurrences)) {
        if (expectedOccurrences !== null && stored > expectedOccurrences)
          throw new Error(`${stored} occurrences stored for ${expectedOccurrences} events`);
        break;
      }
      const now = performance.now();
      if (`${behind}/${stored}` !== progress) [progress, progressAt] = [`${behind}/${stored}`, now];
      else if (now - progressAt > STALL_MS)
        throw new Error(`no progress for ${STALL_MS / 1000} s: lag ${behind}, ${stored} stored`);
      await sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    return { eventsPerSecond: count / seconds, seconds, ...sampler.stop() };
  } finally {
    sampler.stop();
    await stop(child);
  }
}

export interface StormCheck {
  alerts: number;
  occurrences: number;
  ok: boolean;
}

/** After the storm: exactly `fingerprints` alerts whose counters add up to the events sent. */
export async function checkStorm(
  databaseUrl: string,
  fingerprints: number,
  sent: number,
): Promise<StormCheck> {
  const [row] = await query<{ alerts: string; occurrences: string }>(
    databaseUrl,
    'SELECT count(*) AS alerts, coalesce(sum(occurrences), 0) AS occurrences FROM alerts',
  );
  const alerts = Number(row.alerts);
  const occurrences = Number(row.occurrences);
  return { alerts, occurrences, ok: alerts === fingerprints && occurrences === sent };
}

/** C: the naive Nest baseline, measured over a fixed window once it is consuming. */
export async function runNaive(
  databaseUrl: string,
  topic: string,
  windowSeconds: number,
): Promise<Run> {
  // D and E stored these occurrences already; the naive save() would hit the primary key.
  await query(databaseUrl, 'TRUNCATE alert_occurrences, alert_activity, jira_outbox, alerts');
  const group = `bench-naive-${runId()}`;
  const committedGroup = `${group}-server`; // stock Nest appends "-server"
  const child = spawnNode('dist/bench/naive/naive-main.js', {
    DATABASE_URL: databaseUrl,
    BENCH_TOPIC: topic,
    BENCH_GROUP: group,
  });
  try {
    const initial = await lag(committedGroup, topic);
    let from = initial;
    while (from === initial) {
      if (child.exitCode !== null) throw new Error(`naive consumer exited with ${child.exitCode}`);
      await sleep(200);
      from = await lag(committedGroup, topic);
    }
    const sampler = new ProcessSampler(child.pid!);
    const t0 = performance.now();
    await sleep(windowSeconds * 1000);
    const to = await lag(committedGroup, topic);
    const seconds = (performance.now() - t0) / 1000;
    return { eventsPerSecond: Number(from - to) / seconds, seconds, ...sampler.stop() };
  } finally {
    await stop(child);
  }
}

/**
 * F: latency at a steady offered load. Events are stamped when produced; latency is the
 * occurrence row's received_at (the inserting transaction's start, a few ms before its commit)
 * minus that.
 */
export async function runLatency(
  databaseUrl: string,
  ratePerSecond: number,
  seconds: number,
  partitions: number,
): Promise<{
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  occurrences: number;
  peakRssMb: number;
}> {
  const topic = `bench-latency-${runId()}`;
  await createTopic(topic, partitions);
  await createTopic(`${topic}.dlq`, 1);
  const group = `bench-lat-${runId()}`;
  const child = spawnNode('dist/src/main.js', serviceEnv(databaseUrl, topic, group));
  const sampler = new ProcessSampler(child.pid!);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    // Wait until the consumer is in the group: a marker message is consumed.
    await producer.send({ topic, messages: [{ value: JSON.stringify(benchEvent(0, 0)) }] });
    while ((await lag(group, topic)) !== 0n) await sleep(100);

    // The first quarter warms the JIT and is left out of the percentiles.
    const measureFrom = new Date(Date.now() + seconds * 250);
    const tickMs = 20;
    const perTick = (ratePerSecond * tickMs) / 1000;
    const end = performance.now() + seconds * 1000;
    let sent = 0;
    let due = 0;
    for (let next = performance.now(); next < end; next += tickMs) {
      due += perTick;
      const messages = [];
      for (; sent < Math.floor(due); sent++) {
        messages.push({ value: JSON.stringify(benchEvent(sent, 0.5, new Date())) });
      }
      if (messages.length) void producer.send({ topic, acks: 1, messages });
      const wait = next + tickMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
    while ((await lag(group, topic)) !== 0n) await sleep(100);

    const c = new Client({ connectionString: databaseUrl });
    await c.connect();
    const { rows } = await c.query<{ p50: number; p99: number; max: number; n: string }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max, count(*) AS n
         FROM (SELECT extract(epoch FROM received_at - event_time) * 1000 AS ms
                 FROM alert_occurrences WHERE source_topic = $1 AND event_time >= $2) l`,
      [topic, measureFrom],
    );
    await c.end();
    const { peakRssMb } = sampler.stop();
    return {
      p50Ms: rows[0].p50,
      p99Ms: rows[0].p99,
      maxMs: rows[0].max,
      occurrences: Number(rows[0].n),
      peakRssMb,
    };
  } finally {
    sampler.stop();
    await producer.disconnect();
    await stop(child);
  }
}
