// npm run bench -- [--events 200000] [--alert-ratio 0.5] [--partitions 6] [--naive-seconds 20]
//                   [--storm-events N (default: --events; 0 skips the storm)]
// Measures this service against its ceilings on the same data in one run; see README "Benchmark".
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
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
  STORM_FINGERPRINTS,
  stormEvent,
} from './bench-env';
import { consumeCeiling } from './consume-ceiling';
import { repeatIfShort } from './repeat';
import { writeCeiling } from './write-ceiling';
import { checkStorm, Run, runLatency, runNaive, runService, StormCheck } from './service-runs';

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
    },
  });
  const events = Number(values.events);
  const alertRatio = Number(values['alert-ratio']);
  const partitions = Number(values.partitions);
  const stormEvents = Number(values['storm-events'] ?? events);
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
    const { alerts } = await prefill(topic, events, (i) => benchEvent(i, alertRatio), true);

    step('A: bare kafkajs consumer, the service consumer options (parse, commit)');
    const a = (await repeatIfShort(() => consumeCeiling(db, topic))).median;
    step(`B: ${alerts} occurrence rows, three ways`);
    const writes = await writeCeiling(db, events, alertRatio);
    for (const [method, r] of Object.entries(writes.methods)) {
      step(`B ${method}: ${Math.round(r.median)} rows/s (${r.runs} runs)`);
    }
    const b = writes.methods[writes.fastest].median;
    step('D: this service, cold start to all committed');
    const d = await runService(db, topic, events, alerts);
    step('E: this service again, new group, every alert already stored');
    const e = await runService(db, topic, events, null);
    const rate = Math.round(d.eventsPerSecond * 0.5);
    step(`F: latency at ${rate} events/s for ${values['latency-seconds']} s`);
    const f = await runLatency(db, rate, Number(values['latency-seconds']), partitions);
    const storm = stormEvents > 0 ? await runStorm(id, partitions, stormEvents, step) : null;
    // Last: it truncates the alerts table, and the vacuum that follows would disturb F.
    step(`C: naive Nest handler, ${values['naive-seconds']} s window`);
    const c = await runNaive(db, topic, Number(values['naive-seconds']));

    const result = summarize({
      ...{ events, alertRatio, partitions, alerts },
      ...{ a, b, c, d, e, f, rate, storm },
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

/**
 * Storm: one incident flooding the service. A fresh topic and database, every event alert-worthy
 * and in one of STORM_FINGERPRINTS problems; the service from a cold start until every occurrence
 * is stored, then a check that the events became exactly those alerts.
 */
async function runStorm(
  id: string,
  partitions: number,
  events: number,
  step: (s: string) => void,
): Promise<{ run: Run; events: number; check: StormCheck }> {
  const dbName = `stacklens_bench_${id}_storm`;
  const topic = `bench-pos-logs-${id}-storm`;
  const db = await createDatabase(dbName);
  try {
    await createTopic(topic, partitions);
    await createTopic(`${topic}.dlq`, 1);
    step(`storm: prefilling ${events} events (${STORM_FINGERPRINTS} fingerprints) into ${topic}`);
    const { alerts: sent } = await prefill(topic, events, stormEvent, false);
    step('storm: this service, cold start to all occurrences stored');
    const run = await runService(db, topic, events, sent);
    return { run, events: sent, check: await checkStorm(db, STORM_FINGERPRINTS, sent) };
  } finally {
    await dropDatabase(dbName);
  }
}

interface Measured {
  events: number;
  alertRatio: number;
  partitions: number;
  alerts: number;
  a: number;
  b: number;
  c: Run;
  d: Run;
  e: Run;
  f: Awaited<ReturnType<typeof runLatency>>;
  rate: number;
  storm: Awaited<ReturnType<typeof runStorm>> | null;
}

function summarize(m: Measured) {
  const { events, alertRatio, partitions, alerts, a, b, c, d, e, f, rate, storm } = m;
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    params: { events, alertRatio, partitions, alerts },
    eventsPerSecond: {
      A_consume_ceiling: Math.round(a),
      B_write_ceiling_rows: Math.round(b),
      C_naive: Math.round(c.eventsPerSecond),
      D_service: Math.round(d.eventsPerSecond),
      E_service_all_duplicates: Math.round(e.eventsPerSecond),
      storm_service: storm && Math.round(storm.run.eventsPerSecond),
    },
    ratios: {
      'D/A': +(d.eventsPerSecond / a).toFixed(2),
      'D/B': +(d.eventsPerSecond / b).toFixed(2),
      'D/C': +(d.eventsPerSecond / c.eventsPerSecond).toFixed(1),
      'E/D': +(e.eventsPerSecond / d.eventsPerSecond).toFixed(2),
    },
    latency: { offeredPerSecond: rate, ...f },
    service: {
      D_seconds: +d.seconds.toFixed(1),
      D_peakRssMb: Math.round(d.peakRssMb),
      D_avgCpuCores: +d.avgCpuCores.toFixed(2),
      E_peakRssMb: Math.round(e.peakRssMb),
      F_peakRssMb: Math.round(f.peakRssMb),
    },
    storm: storm && {
      events: storm.events,
      fingerprints: STORM_FINGERPRINTS,
      seconds: +storm.run.seconds.toFixed(1),
      peakRssMb: Math.round(storm.run.peakRssMb),
      avgCpuCores: +storm.run.avgCpuCores.toFixed(2),
      ...storm.check,
    },
  };
}

type BenchResult = ReturnType<typeof summarize>;

function toMarkdown(r: BenchResult): string {
  const rows = [
    [
      'A consume ceiling (kafkajs eachBatch, parse only)',
      `${r.eventsPerSecond.A_consume_ceiling} events/s`,
    ],
    [
      'B write ceiling (fastest of jsonb_to_recordset, UNNEST, COPY)',
      `${r.eventsPerSecond.B_write_ceiling_rows} rows/s`,
    ],
    ['C naive Nest handler (save() per message)', `${r.eventsPerSecond.C_naive} events/s`],
    [
      'D this service, cold start to all committed',
      `${r.eventsPerSecond.D_service} events/s (${r.service.D_seconds} s)`,
    ],
    ...(r.storm
      ? [
          [
            `Storm: this service, 100% alert-worthy, ${r.storm.fingerprints} fingerprints`,
            `${r.eventsPerSecond.storm_service} events/s (${r.storm.seconds} s); ` +
              `${r.storm.alerts} alerts, ${r.storm.occurrences} occurrences ` +
              `${r.storm.ok ? 'OK' : 'MISMATCH'}`,
          ],
        ]
      : []),
    [
      'E this service, re-consume, all duplicates',
      `${r.eventsPerSecond.E_service_all_duplicates} events/s`,
    ],
    ['D/A (target >= 0.5 at 50% alert-worthy)', r.ratios['D/A']],
    ['D/B (target >= 0.5 at 100% alert-worthy)', r.ratios['D/B']],
    ['D/C (target >= 30)', r.ratios['D/C']],
    ['E/D (target >= 0.5)', r.ratios['E/D']],
    [
      `F latency p50 / p99 at ${r.latency.offeredPerSecond} events/s`,
      `${Math.round(r.latency.p50Ms)} ms / ${Math.round(r.latency.p99Ms)} ms (max ${Math.round(r.latency.maxMs)} ms)`,
    ],
    [
      'Service peak RSS (D / E / F)',
      `${r.service.D_peakRssMb} / ${r.service.E_peakRssMb} / ${r.service.F_peakRssMb} MB`,
    ],
    ['Service CPU during D', `${r.service.D_avgCpuCores} cores`],
  ];
  return [
    `Benchmark ${r.date} — ${r.params.events} events, ${r.params.alertRatio * 100}% alert-worthy, ${r.params.partitions} partitions, ${r.machine.cpus} CPUs, Node ${r.machine.node}`,
    '',
    '| Measure | Result |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ].join('\n');
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
