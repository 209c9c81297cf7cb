import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { query } from './database';
import { ROOT } from './infra';
import { logRecords, ServiceProcess } from './service';

/**
 * What the v2 specs read from a running service and from the database: metrics, log lines, and
 * occurrences of one spec's own `service` value (every spec of a run shares one database).
 */

/** A service name no other spec uses: each spec's events, alerts and occurrences carry it. */
export const uniqueServiceName = (label = 'svc') => `${label}-${randomUUID().slice(0, 8)}`;

/** One sample of a metric from GET /metrics (label-less, or with exactly these labels). */
export async function metricValue(
  service: ServiceProcess,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(service.url('/metrics'))).text();
  return sampleOf(text, name, labels);
}

export function sampleOf(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v] as const),
    );
    if (wanted.every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return NaN;
}

/** How many of the service's log lines have exactly this msg. */
export function logCount(service: ServiceProcess, msg: string): number {
  return logRecords(service).filter((l) => l.msg === msg).length;
}

/** kafkajs' own warnings about leaving and rejoining the group, or crashing. */
export function rejoinOrCrashLines(service: ServiceProcess): string[] {
  return service.lines.filter(
    (l) =>
      /"kafka consumer crashed"|"batch handler failed/.test(l) ||
      (l.includes('kafkajs') && /re-joining|Crash/i.test(l)),
  );
}

/** request_id -> number of occurrences stored for it, for one service's events. */
export async function occurrencesOf(service: string): Promise<Map<string, number>> {
  const rows = await query<{ request_id: string; n: string }>(
    `SELECT event->>'request_id' AS request_id, count(*) AS n FROM alert_occurrences
      WHERE event->>'service' = $1 GROUP BY 1`,
    [service],
  );
  return new Map(rows.map((r) => [r.request_id, Number(r.n)]));
}

/** The occurrences the service's alerts say they counted (sum of alerts.occurrences). */
export async function countedOnAlerts(service: string): Promise<number> {
  const [{ n }] = await query<{ n: string | null }>(
    `SELECT sum(occurrences) AS n FROM alerts WHERE group_labels->>'service' = $1`,
    [service],
  );
  return Number(n ?? 0);
}

/** Prints a measured figure and keeps it in .cache/faults/figures.jsonl for the run's report. */
export function reportFigure(name: string, value: number, unit: string, bound?: number): void {
  const line = { name, value, unit, ...(bound === undefined ? {} : { bound }) };
  process.stderr.write(`figure: ${JSON.stringify(line)}\n`);
  mkdirSync(join(ROOT, '.cache', 'faults'), { recursive: true });
  appendFileSync(join(ROOT, '.cache', 'faults', 'figures.jsonl'), JSON.stringify(line) + '\n');
}
