// npm run bench -- [--events 200000] [--alert-ratio 0.5] [--partitions 6] [--naive-seconds 20]
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
  prefill,
  runId,
} from './bench-env';
import { consumeCeiling, writeCeiling } from './ceilings';
import { Run, runLatency, runNaive, runService } from './service-runs';

const RESULTS = join(__dirname, '..', '..', 'bench', 'results');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '200000' },
      'alert-ratio': { type: 'string', default: '0.5' },
      partitions: { type: 'string', default: '6' },
      'naive-seconds': { type: 'string', default: '20' },
      'latency-seconds': { type: 'string', default: '20' },
    },
  });
  const events = Number(values.events);
  const alertRatio = Number(values['alert-ratio']);
  const partitions = Number(values.partitions);
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
    step(`prefilling ${events} events (${alertRatio * 100}% alert-worthy)`);
    const alerts = await prefill(topic, events, alertRatio);

    step('A: bare kafkajs consumer (parse only)');
    const a = await consumeCeiling(topic, events);
    step('B: plain multi-row INSERT of the same alert rows');
    const b = await writeCeiling(db, events, alertRatio);
    step('D: this service, cold start to all committed');
    const d = await runService(db, topic, events, alerts);
    step('E: this service again, new group, every alert already stored');
    const e = await runService(db, topic, events, null);
    const rate = Math.round(d.eventsPerSecond * 0.5);
    step(`F: latency at ${rate} events/s for ${values['latency-seconds']} s`);
    const f = await runLatency(db, rate, Number(values['latency-seconds']), partitions);
    // Last: it truncates the alerts table, and the vacuum that follows would disturb F.
    step(`C: naive Nest handler, ${values['naive-seconds']} s window`);
    const c = await runNaive(db, topic, Number(values['naive-seconds']));

    const result = summarize({ events, alertRatio, partitions, alerts, a, b, c, d, e, f, rate });
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
}

function summarize({ events, alertRatio, partitions, alerts, a, b, c, d, e, f, rate }: Measured) {
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
      'B write ceiling (multi-row INSERT, same rows)',
      `${r.eventsPerSecond.B_write_ceiling_rows} rows/s`,
    ],
    ['C naive Nest handler (save() per message)', `${r.eventsPerSecond.C_naive} events/s`],
    [
      'D this service, cold start to all committed',
      `${r.eventsPerSecond.D_service} events/s (${r.service.D_seconds} s)`,
    ],
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
