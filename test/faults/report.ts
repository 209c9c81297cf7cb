import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/infra';
import type { Outcome } from './scenario';

const JSONL = join(ROOT, '.cache', 'faults', 'report.jsonl');
export const REPORT_MD = join(ROOT, '.cache', 'faults', 'report.md');

/** Renders this run's scenario outcomes as the markdown table the README quotes. */
export function renderReport(): string | null {
  if (!existsSync(JSONL)) return null;
  const rows = readFileSync(JSONL, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Outcome);
  const n = (x: number) => x.toLocaleString('en-US');
  const table = [
    '| Scenario | Messages | Occurrences sent (+ copies) | Counted | Lost | Counted twice | Alerts (problems) | Dead-lettered (of malformed) | Dead-letter copies |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${n(r.messages)} | ${n(r.sent)} (+ ${n(r.copies)}) | ${n(r.counted)} | ${n(r.lost)} | ${n(r.countedTwice)} | ${n(r.alerts)}${r.miscounted || r.strays ? ` (${r.miscounted} miscounted, ${r.strays} stray occurrences)` : ''} | ${n(r.deadLettered)} of ${n(r.malformedSent)} | ${n(r.deadLetterCopies)} |`,
    ),
  ].join('\n');
  writeFileSync(REPORT_MD, `Fault suite, ${new Date().toISOString()}\n\n${table}\n`);
  return table;
}
