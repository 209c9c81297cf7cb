import { setTimeout as sleep } from 'node:timers/promises';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { BROKERS, benchEventTexts, createTopic, endOffsetTotal, runId } from './bench-env';
import { CommitObservation, CommitWatcher } from './commit-watcher';
import { CpuSplit, CpuSplitSampler } from './cpu-split';
import { serviceEnv, spawnNode, stop } from './service-process';

export interface LatencyRun {
  offeredPerSecond: number;
  /** Events sent, and those after the warm-up quarter that the percentiles are over. */
  events: number;
  measured: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Mean time between two reads of the committed offsets: latencies are late by up to this. */
  pollMs: number;
  cpu: CpuSplit;
}

/** One producer send to one partition: its offsets, and when its events were stamped. */
interface Sent {
  partition: number;
  baseOffset: bigint;
  count: number;
  at: number;
}

/**
 * F: latency at a steady offered load, from each event's produce time (its Kafka timestamp and
 * its own `timestamp` are stamped at the send) to the moment its offset is seen committed by the
 * service's group, which is when the service has made it durable. Events of the first quarter
 * warm the JIT and are left out of the percentiles.
 */
export async function runLatency(
  databaseUrl: string,
  ratePerSecond: number,
  seconds: number,
  partitions: number,
): Promise<LatencyRun> {
  const topic = `bench-latency-${runId()}`;
  await createTopic(topic, partitions);
  await createTopic(`${topic}.dlq`, 1);
  const group = `bench-lat-${runId()}`;
  const watcher = await CommitWatcher.start(group, topic);
  const child = spawnNode('dist/src/main.js', serviceEnv(databaseUrl, topic, group));
  const alive = () => child.exitCode === null;
  let sampler: CpuSplitSampler | null = null;
  // @platformatic/kafka, not kafkajs: producing alone cost ~16 µs of CPU per event with kafkajs
  // (its record encoding) and ~10 with this one, CPU the service then did not have.
  const producer = new Producer({
    clientId: 'stacklens-bench-f',
    bootstrapBrokers: BROKERS,
    serializers: stringSerializers,
  });
  const text = benchEventTexts(0.5, runId());
  try {
    // Wait until the consumer is in the group: a marker message is committed.
    await producer.send({
      messages: [{ topic, partition: 0, value: text(0, new Date().toISOString()) }],
    });
    await watcher.until((o) => o.total >= 1n, alive);
    // From here: the offered load, not the service's boot.
    sampler = new CpuSplitSampler(child.pid!);

    const sends: Sent[] = [];
    const pending: Promise<void>[] = [];
    const tickMs = 20;
    const perTick = (ratePerSecond * tickMs) / 1000;
    const start = performance.now();
    const end = start + seconds * 1000;
    let sent = 0;
    let due = 0;
    for (let next = start; next < end; next += tickMs) {
      due += perTick;
      const stamp = Date.now();
      const at = performance.now();
      // Round robin by hand, so each send's count per partition is known.
      const messages: { topic: string; partition: number; value: string; timestamp: bigint }[] = [];
      const perPartition = new Map<number, number>();
      const iso = new Date(stamp).toISOString();
      const timestamp = BigInt(stamp);
      for (; sent < Math.floor(due); sent++) {
        const partition = sent % partitions;
        messages.push({ topic, partition, value: text(sent + 1, iso), timestamp });
        perPartition.set(partition, (perPartition.get(partition) ?? 0) + 1);
      }
      // One produce request per tick, not one per partition: the load generator shares the
      // machine with the service, and every request it saves is CPU the service gets.
      if (messages.length > 0) {
        const send = producer.send({ messages });
        pending.push(
          send.then(({ offsets = [] }) => {
            for (const { partition, offset } of offsets) {
              sends.push({
                partition,
                baseOffset: offset,
                count: perPartition.get(partition)!,
                at,
              });
            }
          }),
        );
      }
      const wait = next + tickMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(pending);
    const total = await endOffsetTotal(topic);
    await watcher.until((o) => o.total >= total, alive);
    const cpu = sampler.stop();

    const measureFrom = start + seconds * 250;
    const latencies = commitLatencies(
      sends.filter((s) => s.at >= measureFrom),
      watcher.history,
    );
    latencies.sort((a, b) => a - b);
    const pct = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return {
      offeredPerSecond: ratePerSecond,
      events: sent,
      measured: latencies.length,
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      maxMs: latencies[latencies.length - 1],
      pollMs: watcher.meanPollMs,
      cpu,
    };
  } finally {
    sampler?.stop();
    await producer.close();
    await watcher.stop();
    await stop(child);
  }
}

/** Per event: when its partition's committed offset was first seen past it, minus its send. */
function commitLatencies(sends: Sent[], history: CommitObservation[]): number[] {
  const latencies: number[] = [];
  for (const s of sends) {
    for (let i = 0; i < s.count; i++) {
      const offset = s.baseOffset + BigInt(i);
      const seen = firstAbove(history, s.partition, offset);
      latencies.push(seen.at - s.at);
    }
  }
  return latencies;
}

/** The first observation whose committed offset of `partition` is past `offset` (binary search). */
function firstAbove(history: CommitObservation[], partition: number, offset: bigint) {
  let lo = 0;
  let hi = history.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (history[mid].offsets.get(partition)! > offset) hi = mid;
    else lo = mid + 1;
  }
  return history[lo];
}
