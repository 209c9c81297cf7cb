import { CPU_PARTS } from './cpu-split';
import { BenchResult } from './report';
import { WRITE_METHODS } from './write-ceiling';

type Figures = BenchResult['D'];
type Spread = { median: number; min: number; max: number };

const check = (r: Figures) =>
  `${r.occurrences.found}/${r.occurrences.expected} occurrences, ` +
  `${r.deadLetters.found}/${r.deadLetters.expected} dead letters ${r.ok ? 'OK' : 'MISMATCH'}`;

const service = (r: Figures) =>
  `${r.coldEventsPerSecond} events/s cold (${r.coldSeconds} s); ` +
  `${r.steadyEventsPerSecond ?? 'n/a'} events/s steady (${r.steadySeconds} s); ` +
  `${r.rowsPerSecond} rows/s; ${check(r)}`;

function measures(r: BenchResult): string[][] {
  const B = r.B_writeCeiling;
  const spreadOf = (x: Spread, unit: string, runs: number) =>
    `${x.median} ${unit}` + (runs > 1 ? ` (median of ${runs}: ${x.min}–${x.max})` : ' (1 run)');
  const spread = (x: Spread & { runs: number }, unit: string) => spreadOf(x, unit, x.runs);
  // Both the rate and the CPU are each the median of the runs on its own.
  const consume = (x: BenchResult['A_consumeCeiling']) =>
    `${spread(x, 'events/s')}; ${spreadOf(x.cpuUsPerEvent, 'µs CPU/event', x.runs)} ` +
    `(bench process user + system, group join to final commit; ` +
    `${x.each.map((e) => e.commits).join('/')} commits)`;
  return [
    [
      'A consume ceiling (kafkajs eachBatch, service consumer options, parse + commit)',
      consume(r.A_consumeCeiling),
    ],
    [
      "A' @platformatic/kafka 1.35 bare consumer (stream, service fetch options, parse + commit per drained batch)",
      consume(r.A_platformatic),
    ],
    ...WRITE_METHODS.map((k) => [`B write: ${k}, ${B.rows} rows`, spread(B.methods[k], 'rows/s')]),
    [`B write ceiling (fastest: ${B.fastest})`, `${B.rowsPerSecond} rows/s`],
    [
      `D/B in rows/s (D's occurrence rows/s at ${r.params.alertRatio * 100}% alert-worthy)`,
      `${r.D.rowsPerSecond} / ${B.rowsPerSecond} = ${B.D_over_B}`,
    ],
    [
      'C naive Nest handler (save() per message), commit to commit',
      `${r.C_naive.eventsPerSecond} events/s (${r.C_naive.events} events in ${r.C_naive.seconds} s)`,
    ],
    ['D this service (cold: spawn to final commit; steady: first to final commit)', service(r.D)],
    ['E this service, re-consume, all duplicates', service(r.E)],
    ...(r.fullAlert
      ? [['100% alert-worthy run (usual fingerprint spread)', service(r.fullAlert)]]
      : []),
    ...(r.storm
      ? [
          [
            `Storm: 100% alert-worthy, ${r.storm.fingerprints} fingerprints`,
            `${service(r.storm)}; ${r.storm.check.alerts} alerts, ` +
              `${r.storm.check.occurrences} counted ${r.storm.check.ok ? 'OK' : 'MISMATCH'}`,
          ],
        ]
      : []),
    ...r.F.map((f) => [
      `F latency, produce to offset committed, at ${f.share * 100}% of D (${f.offeredPerSecond} events/s)`,
      `p50 ${f.p50Ms} ms / p99 ${f.p99Ms} ms / max ${f.maxMs} ms over ${f.measured} events ` +
        `(commits polled every ${f.commitPollMs} ms)`,
    ]),
    [
      'Service peak RSS per run',
      Object.entries(r.peakRssMb)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') + ' MB',
    ],
    ['Bench process peak RSS', `${r.benchPeakRssMb} MB`],
  ];
}

function cpuTable(r: BenchResult): string[] {
  const head = ['Run', 'events', 's', ...CPU_PARTS];
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...Object.entries(r.cpu).map(([name, c]) => {
      const cells = CPU_PARTS.map((p) => `${c[p].cores} cores, ${c[p].usPerEvent} µs/ev`);
      return `| ${[name, c.events, c.seconds, ...cells].join(' | ')} |`;
    }),
  ];
}

export function toMarkdown(r: BenchResult): string {
  const p = r.params;
  return [
    `Benchmark ${r.date} — ${p.events} events (${p.alerts} alert-worthy, ${p.malformed} malformed), ` +
      `${p.alertRatio * 100}% alert-worthy, ${p.partitions} partitions, ${r.machine.cpus} CPUs, ` +
      `Node ${r.machine.node}`,
    '',
    '| Measure | Result |',
    '| --- | --- |',
    ...measures(r).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '| Target | Value | Target | Met |',
    '| --- | --- | --- | --- |',
    ...r.targets.map(
      (t) => `| ${t.name} | ${t.value} | ${t.target} | ${t.met ? 'met' : 'NOT met'} |`,
    ),
    '',
    'CPU by process over each run (cores = CPU s / wall s; µs/ev = CPU s / events × 1e6). ' +
      'postgres: every postgres process on the machine, other clients included; ' +
      'machine: all busy CPU from /proc/stat, other load included.',
    '',
    ...cpuTable(r),
    '',
  ].join('\n');
}
