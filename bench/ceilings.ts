import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { INSERT_OCCURRENCES_SQL } from '../src/alerts/alert-groups.sql';
import { eventIdentity } from '../src/events/event-identity';
import { LogEvent } from '../src/events/log-event.dto';
import { RulesService } from '../src/rules/rules.service';
import { DatabaseErrorDetector } from '../src/rules/detectors/database-error.detector';
import { InvalidOrderDetector } from '../src/rules/detectors/invalid-order.detector';
import { PriceMissingDetector } from '../src/rules/detectors/price-missing.detector';
import { TimeoutDetector } from '../src/rules/detectors/timeout.detector';
import { benchEvent, isMalformed } from './bench-env';

/**
 * B: the occurrence rows the service writes for the run's alert-worthy events, written the fastest
 * plain way from Node: multi-row INSERTs built with jsonb_to_recordset (one parameter per
 * statement), 5,000 rows each, two connections, into a copy of the occurrences table with its
 * primary key. Rows/s. The JSON is built before the clock starts. COPY is not measured: it needs
 * pg-copy-streams, which this project does not depend on.
 */
export async function writeCeiling(
  databaseUrl: string,
  count: number,
  alertRatio: number,
): Promise<number> {
  const rules = new RulesService([
    new PriceMissingDetector(),
    new InvalidOrderDetector(),
    new DatabaseErrorDetector(),
    new TimeoutDetector(),
  ]);
  const rows: object[] = [];
  for (let i = 0; i < count; i++) {
    if (isMalformed(i)) continue;
    const event = Object.assign(new LogEvent(), benchEvent(i, alertRatio));
    const ref = { topic: 't', partition: i % 6, offset: String(i) };
    if (!rules.evaluate(event, ref)) continue;
    rows.push({
      event_id: eventIdentity(event),
      event_time: event.timestamp,
      alert_id: randomUUID(),
      source_topic: ref.topic,
      source_partition: ref.partition,
      source_offset: ref.offset,
      event,
    });
  }
  const clients = [
    new Client({ connectionString: databaseUrl }),
    new Client({ connectionString: databaseUrl }),
  ];
  await Promise.all(clients.map((c) => c.connect()));
  // LIKE on the partitioned parent makes a plain table with the same columns, primary key and
  // indexes: no partition routing, which only makes the ceiling a little higher.
  await clients[0].query(
    'CREATE TABLE alert_occurrences_ceiling (LIKE alert_occurrences INCLUDING ALL)',
  );
  // The service's own statement, aimed at the copy: the ceiling differs only in batch size and
  // in having no Kafka, no validation, no alert lookup or counters and no Nest around it.
  const target = 'INSERT INTO alert_occurrences ';
  if (!INSERT_OCCURRENCES_SQL.includes(target)) throw new Error('occurrence INSERT changed shape');
  const sql = INSERT_OCCURRENCES_SQL.replace(target, 'INSERT INTO alert_occurrences_ceiling ');
  const chunks: string[] = [];
  for (let i = 0; i < rows.length; i += 5000) chunks.push(JSON.stringify(rows.slice(i, i + 5000)));
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, k) => {
      for (let i = k; i < chunks.length; i += clients.length) {
        await client.query(sql, [chunks[i]]);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await clients[0].query('DROP TABLE alert_occurrences_ceiling');
  await Promise.all(clients.map((c) => c.end()));
  return rows.length / seconds;
}
