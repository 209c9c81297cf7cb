import { runId } from './bench-env';
import { CommitWatcher } from './commit-watcher';
import { CpuSplit, CpuSplitSampler } from './cpu-split';
import { query, spawnNode, stop } from './service-process';

export interface NaiveRun {
  /** Events committed in the window, and the window from one observed commit to another. */
  events: number;
  seconds: number;
  cpu: CpuSplit;
}

/**
 * C: the naive Nest baseline over a window that starts and ends on a commit it was seen to make:
 * the stock transport commits once per fetched batch, seconds apart at its pace, so a window cut
 * by the clock alone would count a whole batch too many or too few.
 */
export async function runNaive(
  databaseUrl: string,
  topic: string,
  windowSeconds: number,
): Promise<NaiveRun> {
  // D and E stored these occurrences already; the naive save() would hit the primary key.
  await query(databaseUrl, 'TRUNCATE alert_occurrences, alert_activity, jira_outbox, alerts');
  const group = `bench-naive-${runId()}`;
  const committedGroup = `${group}-server`; // stock Nest appends "-server"
  const watcher = await CommitWatcher.start(committedGroup, topic);
  const child = spawnNode('dist/bench/naive/naive-main.js', {
    DATABASE_URL: databaseUrl,
    BENCH_TOPIC: topic,
    BENCH_GROUP: group,
  });
  const alive = () => child.exitCode === null;
  try {
    const from = await watcher.until((o) => o.total > watcher.initial.total, alive);
    const sampler = new CpuSplitSampler(child.pid!);
    const nominalEnd = from.at + windowSeconds * 1000;
    const to = await watcher.until((o) => o.at >= nominalEnd, alive);
    const cpu = sampler.stop();
    return { events: Number(to.total - from.total), seconds: (to.at - from.at) / 1000, cpu };
  } finally {
    await watcher.stop();
    await stop(child);
  }
}
