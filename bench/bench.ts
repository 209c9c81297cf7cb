// npm run bench -- [--events 200000] [--alert-ratio 0.5] [--partitions 6] [--naive-seconds 20]
//                   [--latency-seconds 20] [--storm-events N] [--full-alert-events N]
// (--storm-events and --full-alert-events default to --events; 0 skips that run.)
// Measures this service against its ceilings on the same data in one run; see README "Benchmark".
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  closeShared,
  createDatabase,
  createTopic,
  dropDatabase,
  benchEvent,
  prefill,
  runId,
} from './bench-env';
import { consumeCeiling, repeatConsume } from './consume-ceiling';
import { consumeCeilingPlatformatic } from './consume-ceiling-platformatic';
import { runLatency } from './latency-run';
import { runNaive } from './naive-run';
import { runFullAlert, runStorm } from './own-topic-runs';
import { summarize } from './report';
import { toMarkdown } from './report-markdown';
import { query } from './service-process';
import { coldRate, runService, steadyRate } from './service-runs';
import { writeCeiling } from './write-ceiling';

const RESULTS = join(__dirname, '..', '..', 'bench', 'results');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '200000' },
      'alert-ratio': { type: 'string', default: '0.5' },
      partitions: { type: 'string', default: '6' },
      'naive-seconds': { type: 'string', default: '20' },
      'latency-seconds': { type: 'string', default: '20' },
      'storm-events': { type: 'string' },
      'full-alert-events': { type: 'string' },
    },
  });
  const events = Number(values.events);
  const alertRatio = Number(values['alert-ratio']);
  const partitions = Number(values.partitions);
  const latencySeconds = Number(values['latency-seconds']);
  const stormEvents = Number(values['storm-events'] ?? events);
  const fullAlertEvents = Number(values['full-alert-events'] ?? events);
  const id = runId();
  const dbName = `stacklens_bench_${id}`;
  const topic = `bench-pos-logs-${id}`;
  const step = (s: string) =>
    console.error(`[bench] ${new Date().toISOString().slice(11, 19)} ${s}`);

  step(`database ${dbName}, topic ${topic} (${partitions} partitions)`);
  const db = await createDatabase(dbName);
  await createTopic(topic, partitions);
  await createTopic(`${topic}.dlq`, 1);
  try {
    step(`prefilling ${events} events (${alertRatio * 100}% alert-worthy, 1% malformed)`);
    const sent = await prefill(topic, events, (i) => benchEvent(i, alertRatio), true);

    step('A: bare kafkajs consumer, the service consumer options (parse, commit)');
    const a = await repeatConsume(() => consumeCeiling(db, topic));
    step("A': the same bare consumer on @platformatic/kafka (parse, commit per batch)");
    const aPlatformatic = await repeatConsume(() => consumeCeilingPlatformatic(db, topic));
    step(`B: ${sent.alerts} occurrence rows, four ways`);
    const b = await writeCeiling(db, events, alertRatio);
    step('D: this service, cold start to all committed');
    const d = await runService(db, topic, sent);
    step('E: this service again, new group, every alert already stored');
    const e = await runService(db, topic, sent);
    // F is offered a share of what D sustained once running, not of its rate with the boot in it.
    const dRate = Number.isFinite(steadyRate(d)) ? steadyRate(d) : coldRate(d);
    const f = [];
    for (const share of [0.5, 0.8]) {
      const rate = Math.round(dRate * share);
      step(`F: latency at ${share * 100}% of D (${rate} events/s) for ${latencySeconds} s`);
      // D's bulk of inserts would otherwise get its autovacuum during the first F run only, and
      // that run's p99 would measure the vacuum: both start from a vacuumed, analysed database.
      await query(db, 'VACUUM ANALYZE');
      f.push({ share, ...(await runLatency(db, rate, latencySeconds, partitions)) });
    }
    const storm = stormEvents > 0 ? await runStorm(id, partitions, stormEvents, step) : null;
    const full =
      fullAlertEvents > 0 ? await runFullAlert(id, partitions, fullAlertEvents, step) : null;
    // Last: it truncates the alerts table, and the vacuum that follows would disturb F.
    step(`C: naive Nest handler, ${values['naive-seconds']} s window from commit to commit`);
    const c = await runNaive(db, topic, Number(values['naive-seconds']));

    const result = summarize({
      ...{ events, alertRatio, partitions, sent },
      ...{ a, aPlatformatic, b, c, d, e, f, storm, full },
    });
    mkdirSync(RESULTS, { recursive: true });
    const stamp = result.date.replace(/[:.]/g, '-');
    const markdown = toMarkdown(result);
    writeFileSync(join(RESULTS, `${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
    writeFileSync(join(RESULTS, `${stamp}.md`), markdown);
    writeFileSync(join(RESULTS, 'latest.md'), markdown);
    console.log(markdown);
  } finally {
    await closeShared();
    await dropDatabase(dbName);
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
