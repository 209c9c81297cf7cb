import { loadAppConfig } from '../src/config/app-config';
import { consumerOptions } from '../src/kafka/kafka-options';
import { endOffsetTotal, kafka, runId } from './bench-env';
import { CONSUME_LIMIT_MS, within } from './deadline';
import { Repeated, repeatIfShort } from './repeat';
import { serviceEnv } from './service-process';

/** One run of a bare consumer: wall rate and this process's CPU over the same window. */
export interface ConsumeRun {
  rate: number;
  seconds: number;
  /** user + system CPU of this (the bench) process from start to final commit, per event. */
  cpuUsPerEvent: number;
  events: number;
  commits: number;
}

/** A consume ceiling: events/s as repeatIfShort reports it, plus CPU µs/event over the same runs. */
export interface ConsumeCeiling extends Repeated {
  /** Median, min and max of the runs' CPU µs/event, taken on their own (not the median-rate run's). */
  cpuUsPerEvent: { median: number; min: number; max: number };
  /** Every run in the order measured, for the record. */
  each: ConsumeRun[];
}

/**
 * Runs `measure` under repeatIfShort (so one, or three if short, with the median rate) and keeps
 * each run's CPU: the CPU reported is the median of the runs' own CPU µs/event, which need not be
 * the median-rate run's.
 */
export async function repeatConsume(measure: () => Promise<ConsumeRun>): Promise<ConsumeCeiling> {
  const each: ConsumeRun[] = [];
  const rates = await repeatIfShort(async () => {
    const run = await measure();
    each.push(run);
    return run;
  });
  const cpu = each.map((r) => r.cpuUsPerEvent).sort((a, b) => a - b);
  return {
    ...rates,
    cpuUsPerEvent: {
      median: cpu[Math.floor(cpu.length / 2)],
      min: cpu[0],
      max: cpu[cpu.length - 1],
    },
    each,
  };
}

/** Starts a window; its end gives the wall seconds and this process's CPU (user + system) µs. */
export function cpuWindow(): () => { seconds: number; cpuUs: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - wall) / 1000, cpuUs: used.user + used.system };
  };
}

export function consumeRun(
  events: number,
  commits: number,
  window: { seconds: number; cpuUs: number },
): ConsumeRun {
  return {
    rate: events / window.seconds,
    seconds: window.seconds,
    cpuUsPerEvent: window.cpuUs / events,
    events,
    commits,
  };
}

/** The service's Kafka settings for a bench group on `topic`, as the service would load them. */
export function benchKafkaConfig(databaseUrl: string, topic: string, group: string) {
  return loadAppConfig(serviceEnv(databaseUrl, topic, group)).kafka;
}

/** What a bare consumer does with a message: parse it (a malformed one is only skipped). */
export function parse(value: Buffer | null | undefined): void {
  try {
    JSON.parse(value!.toString());
  } catch {
    // a malformed message: the service dead-letters it, the ceiling only skips it
  }
}

/**
 * A: a bare kafkajs eachBatch consumer that only parses JSON, configured as the service's is (its
 * fetch sizes and wait, its partition concurrency from the same environment the service gets) and
 * committing as it does: every batch resolved and committed before the next. Events/s and this
 * process's CPU from run() to the moment the final commit resolves (the group join included).
 */
export async function consumeCeiling(databaseUrl: string, topic: string): Promise<ConsumeRun> {
  const group = `bench-a-${runId()}`;
  const config = benchKafkaConfig(databaseUrl, topic, group);
  const count = Number(await endOffsetTotal(topic));
  const consumer = kafka.consumer(consumerOptions(config, () => Promise.resolve(false)));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let committed = 0;
  let commits = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const window = cpuWindow();
  await consumer.run({
    partitionsConsumedConcurrently: config.partitionsConcurrency,
    eachBatchAutoResolve: false,
    autoCommitThreshold: 1,
    eachBatch: async (payload) => {
      const { batch } = payload;
      for (const m of batch.messages) parse(m.value);
      payload.resolveOffset(batch.lastOffset());
      await payload.commitOffsetsIfNecessary();
      commits++;
      committed += batch.messages.length;
      if (committed >= count) finish();
    },
  });
  try {
    await within(done, CONSUME_LIMIT_MS, () => `A committed ${committed} of ${count} events`);
    return consumeRun(count, commits, window());
  } finally {
    await consumer.disconnect();
  }
}
