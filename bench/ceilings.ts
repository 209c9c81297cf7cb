import { Client } from 'pg';
import { INSERT_ALERTS_SQL, insertParameter } from '../src/alerts/alert-insert.sql';
import { buildAlert } from '../src/alerts/alert.builder';
import { Alert } from '../src/alerts/alert.entity';
import { LogEvent } from '../src/ingest/log-event.dto';
import { RulesService } from '../src/rules/rules.service';
import { DatabaseErrorDetector } from '../src/rules/detectors/database-error.detector';
import { InvalidOrderDetector } from '../src/rules/detectors/invalid-order.detector';
import { PriceMissingDetector } from '../src/rules/detectors/price-missing.detector';
import { TimeoutDetector } from '../src/rules/detectors/timeout.detector';
import { benchEvent, kafka, runId } from './bench-env';

/** A: a bare kafkajs eachBatch consumer that only parses JSON. Events/s from run() to the last one. */
export async function consumeCeiling(topic: string, count: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-a-${runId()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const started = performance.now();
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) JSON.parse(m.value!.toString());
      seen += batch.messages.length;
      if (seen >= count) finish();
      await Promise.resolve();
    },
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return count / seconds;
}

/**
 * B: the same alert rows, written the fastest plain way from Node: multi-row INSERTs built with
 * jsonb_to_recordset (one parameter per statement), 5,000 rows each, two connections, into a
 * copy of the alerts table with all its constraints and indexes. Rows/s. The JSON is built
 * before the clock starts.
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
  const alerts: Alert[] = [];
  for (let i = 0; i < count; i++) {
    const event = Object.assign(new LogEvent(), benchEvent(i, alertRatio));
    const ref = { topic: 't', partition: i % 6, offset: String(i) };
    const match = rules.evaluate(event, ref);
    if (match) alerts.push(buildAlert(event, match.candidate, ref));
  }
  const clients = [
    new Client({ connectionString: databaseUrl }),
    new Client({ connectionString: databaseUrl }),
  ];
  await Promise.all(clients.map((c) => c.connect()));
  await clients[0].query('CREATE TABLE alerts_ceiling (LIKE alerts INCLUDING ALL)');
  // The service's own statement, aimed at the copy: the ceiling differs only in batch size and
  // in having no Kafka, no validation and no Nest around it.
  const sql = INSERT_ALERTS_SQL.replace('INSERT INTO alerts ', 'INSERT INTO alerts_ceiling ');
  const chunks: string[] = [];
  for (let i = 0; i < alerts.length; i += 5000)
    chunks.push(insertParameter(alerts.slice(i, i + 5000)));
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, k) => {
      for (let i = k; i < chunks.length; i += clients.length) {
        await client.query(sql, [chunks[i]]);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await clients[0].query('DROP TABLE alerts_ceiling');
  await Promise.all(clients.map((c) => c.end()));
  return alerts.length / seconds;
}
