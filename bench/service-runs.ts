import { endOffsetTotal, messageCount, runId } from './bench-env';
import { CommitWatcher } from './commit-watcher';
import { CpuSplit, CpuSplitSampler } from './cpu-split';
import { query, serviceEnv, spawnNode, stop } from './service-process';

export interface ServiceRun {
  /** Messages consumed (the whole topic, malformed ones included). */
  events: number;
  /** Process spawn to the final commit observed. */
  coldSeconds: number;
  /** First commit observed to the final one, and the events those commits covered. */
  steadySeconds: number;
  steadyEvents: number;
  cpu: CpuSplit;
  /** Occurrence rows in the database at the end, and how many there should be. */
  occurrences: { expected: number; found: number };
  /** Messages this run added to the dead-letter topic, and how many were malformed. */
  deadLetters: { expected: number; found: number };
}

export const coldRate = (r: ServiceRun) => r.events / r.coldSeconds;
export const steadyRate = (r: ServiceRun) => r.steadyEvents / r.steadySeconds;
export const runOk = (r: ServiceRun) =>
  r.occurrences.expected === r.occurrences.found && r.deadLetters.expected === r.deadLetters.found;

async function occurrenceCount(databaseUrl: string): Promise<number> {
  const rows = await query<{ n: string }>(
    databaseUrl,
    'SELECT count(*) AS n FROM alert_occurrences',
  );
  return Number(rows[0].n);
}

/**
 * D, E, the storm and the 100% alert-worthy run: this service from a cold start (process spawn)
 * until its group has committed every offset of the topic. The service commits a batch only once
 * its occurrences and dead letters are durable, so the counts are checked after that, not waited
 * for: `expected.alerts` is the occurrence rows the table must then hold (E re-reads them all, so
 * it must hold the same number) and `expected.malformed` the dead letters this run must add.
 */
export async function runService(
  databaseUrl: string,
  topic: string,
  expected: { alerts: number; malformed: number },
): Promise<ServiceRun> {
  const group = `bench-svc-${runId()}`;
  const dlq = `${topic}.dlq`;
  const end = await endOffsetTotal(topic);
  const dlqBefore = await messageCount(dlq);
  const watcher = await CommitWatcher.start(group, topic);
  const started = performance.now();
  const child = spawnNode('dist/src/main.js', serviceEnv(databaseUrl, topic, group));
  const sampler = new CpuSplitSampler(child.pid!);
  const alive = () => child.exitCode === null;
  try {
    const first = await watcher.until((o) => o.total > watcher.initial.total, alive);
    if (first.total < end) sampler.mark();
    const final = await watcher.until((o) => o.total >= end, alive);
    const cpu = sampler.stop();
    return {
      events: Number(end),
      coldSeconds: (final.at - started) / 1000,
      steadySeconds: (final.at - first.at) / 1000,
      steadyEvents: Number(final.total - first.total),
      cpu,
      occurrences: { expected: expected.alerts, found: await occurrenceCount(databaseUrl) },
      deadLetters: {
        expected: expected.malformed,
        found: Number((await messageCount(dlq)) - dlqBefore),
      },
    };
  } finally {
    sampler.stop();
    await watcher.stop();
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
