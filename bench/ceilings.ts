import { Client } from 'pg';
import { buildAlert } from '../src/alerts/alert.builder';
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
 * copy of the alerts table with all its constraints and indexes. Rows/s.
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
    const event = Object.assign(new LogEvent(), benchEvent(i, alertRatio));
    const match = rules.evaluate(event, { topic: 't', partition: 0, offset: String(i) });
    if (!match) continue;
    const a = buildAlert(event, match.candidate, {
      topic: 't',
      partition: i % 6,
      offset: String(i),
    });
    rows.push({
      id: a.id,
      event_key: a.eventKey,
      issue_code: a.issueCode,
      severity: a.severity,
      suggested_fix: a.suggestedFix,
      confidence: a.confidence,
      raw_log: a.rawLog,
      status: a.status,
      metadata: a.metadata,
      occurred_at: a.occurredAt,
      source_topic: a.sourceTopic,
      source_partition: a.sourcePartition,
      source_offset: a.sourceOffset,
    });
  }
  const clients = [
    new Client({ connectionString: databaseUrl }),
    new Client({ connectionString: databaseUrl }),
  ];
  await Promise.all(clients.map((c) => c.connect()));
  await clients[0].query('CREATE TABLE alerts_ceiling (LIKE alerts INCLUDING ALL)');
  const sql = `INSERT INTO alerts_ceiling (id, event_key, issue_code, severity, suggested_fix, confidence,
      raw_log, status, metadata, occurred_at, source_topic, source_partition, source_offset)
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, event_key char(64), issue_code varchar,
      severity varchar, suggested_fix text, confidence double precision, raw_log jsonb, status varchar,
      metadata jsonb, occurred_at timestamptz, source_topic varchar, source_partition int, source_offset bigint)
    ON CONFLICT (event_key) DO NOTHING`;
  const chunks: object[][] = [];
  for (let i = 0; i < rows.length; i += 5000) chunks.push(rows.slice(i, i + 5000));
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, k) => {
      for (let i = k; i < chunks.length; i += clients.length) {
        await client.query(sql, [JSON.stringify(chunks[i])]);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await clients[0].query('DROP TABLE alerts_ceiling');
  await Promise.all(clients.map((c) => c.end()));
  return rows.length / seconds;
}
