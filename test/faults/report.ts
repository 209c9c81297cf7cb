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
  const table = [
    '| Scenario | Events sent | Alerts expected | Alerts found | Duplicates | Lost | Dead-lettered (of malformed) | Dead-letter duplicates |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.sent} | ${r.alertsExpected} | ${r.alertsFound} | ${r.duplicates} | ${r.lost} | ${r.deadLettered} of ${r.malformedSent} | ${r.deadLetterDuplicates} |`,
    ),
  ].join('\n');
  writeFileSync(REPORT_MD, `Fault suite, ${new Date().toISOString()}\n\n${table}\n`);
  return table;
}
