import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { RecordResult } from '../src/alerts/alert-groups.writer';
import { OccurrenceInput } from '../src/alerts/occurrence-input';
import { eventIdentity } from '../src/events/event-identity';
import { LogEvent } from '../src/events/log-event.dto';
import { logEvent } from './factories/log-event.factory';
import { query, uniqueService } from './support/database';
import { eventually } from './support/eventually';
import { testDatabaseUrl } from './support/infra';
import { WriterModule, writerModule } from './support/writer-module';

/**
 * The batch writer against the real tables, called in-process. Occurrences go in by COPY when
 * none is stored yet, and by INSERT ... ON CONFLICT when a COPY meets a stored copy (and for a
 * while after). Both must store the same values and count each
 * event exactly once. A write Postgres refuses must leave its connection usable in the pool.
 */

/** The writer's pause on COPY after it met a stored copy, plus a margin. */
const PAST_PAUSE_MS = 11_000;

let writing: WriterModule;
let writer: WriterModule['writer'];
let pool: Pool;
/** Added to the clock the writer reads: how the pause after a refused COPY is made to pass. */
let clockShift = 0;

beforeAll(async () => {
  writing = await writerModule({ ALERT_MAX_NEW_PER_MINUTE: '100000' });
  writer = writing.writer;
  pool = (writing.moduleRef.get(DataSource).driver as PostgresDriver).master as Pool;
  const realNow = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + clockShift);
});

afterAll(async () => {
  jest.restoreAllMocks();
  await writing?.close();
});

/** Past 2^53: offsets must reach Postgres exactly. */
let offset = 9_007_199_254_740_993n;

function input(event: LogEvent, partition = 0): OccurrenceInput {
  return writing.input(event, { topic: 'occurrence-write', partition, offset: String(offset++) });
}

const events = (service: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    logEvent({ service, product_id: `prod-${i % 2}`, message: `prix manquant Ω ${i}` }),
  );

async function counts(service: string): Promise<string[]> {
  const rows = await query<{ product: string; counted: string; stored: string }>(
    `SELECT group_labels->>'product_id' AS product, occurrences AS counted,
            (SELECT count(*) FROM alert_occurrences o WHERE o.alert_id = a.id) AS stored
       FROM alerts a WHERE metadata->>'service' = $1`,
    [service],
  );
  return rows.map((r) => `${r.product}: ${r.counted} counted, ${r.stored} stored`).sort();
}

const summary = (r: RecordResult) => ({
  how: r.occurrenceWrite,
  counted: r.counted,
  duplicates: r.duplicates,
});

it('writes a batch of new events by COPY, every column as sent', async () => {
  const service = uniqueService('copy');
  // One event before 2000: Postgres' epoch, so its time goes in as a negative count.
  const sent = events(service, 4);
  sent[3].timestamp = '1999-12-31T23:59:59.999Z';
  const batch = sent.map((e, i) => input(e, i));
  expect(summary(await writer.write(batch))).toEqual({ how: 'copy', counted: 4, duplicates: 0 });

  const stored = await query<Record<string, unknown>>(
    `SELECT o.event_time, o.source_topic, o.source_partition, o.source_offset::text AS source_offset,
            o.event, a.id = o.alert_id AS own_alert
       FROM alert_occurrences o JOIN alerts a ON a.id = o.alert_id
      WHERE a.metadata->>'service' = $1 ORDER BY o.source_offset`,
    [service],
  );
  expect(stored).toEqual(
    batch.map((b) => ({
      event_time: new Date(b.event.timestamp),
      source_topic: 'occurrence-write',
      source_partition: b.ref.partition,
      source_offset: b.ref.offset,
      event: b.event,
      own_alert: true,
    })),
  );
  expect(await counts(service)).toEqual([
    'prod-0: 2 counted, 2 stored',
    'prod-1: 2 counted, 2 stored',
  ]);
});

it('counts only the new events of a batch holding stored copies, then skips COPY for a while', async () => {
  const service = uniqueService('refused');
  const [a, b, c, d, e, f] = events(service, 6);
  await writer.write([input(a), input(b), input(c)]);
  // A replay of a, b next to new events: COPY meets a stored copy and is rolled back; the rows go
  // in by INSERT, which counts c's copy and the new d once.
  expect(summary(await writer.write([input(c), input(a), input(d), input(b)]))).toEqual({
    how: 'copy_refused',
    counted: 1,
    duplicates: 3,
  });
  // Copies come in runs: the next writes skip COPY (and still tell new from stored).
  expect(summary(await writer.write([input(e), input(d)]))).toEqual({
    how: 'insert',
    counted: 1,
    duplicates: 1,
  });
  clockShift += PAST_PAUSE_MS;
  expect(summary(await writer.write([input(f)]))).toEqual({
    how: 'copy',
    counted: 1,
    duplicates: 0,
  });
  expect(await counts(service)).toEqual([
    'prod-0: 3 counted, 3 stored',
    'prod-1: 3 counted, 3 stored',
  ]);
});

it('two writes of the same new events at once (a re-publish on another partition) count them once', async () => {
  clockShift += PAST_PAUSE_MS;
  const service = uniqueService('race');
  const batch = events(service, 40);
  // The alerts exist first, so the two writes race on occurrences only, not on opening alerts.
  await writer.write([
    input(logEvent({ service, product_id: 'prod-0' })),
    input(logEvent({ service, product_id: 'prod-1' })),
  ]);
  // Both writes must be inside their COPY at once: another transaction holds the key that sorts
  // first until both wait on it, then gives it up.
  const first = batch
    .map((e) => ({ e, id: eventIdentity(e), time: Date.parse(e.timestamp) }))
    .sort((x, y) => x.time - y.time || (x.id < y.id ? -1 : 1))[0];
  const blocker = new Client({ connectionString: testDatabaseUrl() });
  await blocker.connect();
  let writes: Promise<RecordResult[]>;
  try {
    await blocker.query('BEGIN');
    await blocker.query(
      `INSERT INTO alert_occurrences (event_id, event_time, alert_id, source_topic,
                                      source_partition, source_offset, event)
       VALUES ($1, $2, $3, 'blocker', 0, 0, '{}')`,
      [first.id, first.e.timestamp, randomUUID()],
    );
    writes = Promise.all([
      writer.write(batch.map((x) => input(x, 0))),
      writer.write([...batch].reverse().map((x) => input(x, 1))),
    ]);
    await eventually(async () => {
      const [{ n }] = await query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE wait_event = 'transactionid' AND query LIKE '%COPY alert_occurrences%'`,
      );
      expect(Number(n)).toBe(2);
    });
  } finally {
    await blocker.query('ROLLBACK');
    await blocker.end();
  }
  const settled = await writes;
  // The second COPY waits on the first one's keys, then finds them stored: it must count none.
  expect(settled.map(summary).sort((x, y) => x.how.localeCompare(y.how))).toEqual([
    { how: 'copy', counted: 40, duplicates: 0 },
    { how: 'copy_refused', counted: 0, duplicates: 40 },
  ]);
  expect(await counts(service)).toEqual([
    'prod-0: 21 counted, 21 stored',
    'prod-1: 21 counted, 21 stored',
  ]);
});

it('gives the connection of a write Postgres refused back to the pool, clean', async () => {
  clockShift += PAST_PAUSE_MS; // the COPY path: the refusal comes while rows are still streaming
  const service = uniqueService('refused-row');
  await writer.write([input(logEvent({ service }))]);
  const connections = pool.totalCount;
  // jsonb cannot hold \u0000: Postgres refuses that row (22P05) and ends the COPY itself. The
  // batch is larger than a socket write (~190 KB), so the client may still be sending.
  const batch = events(service, 400);
  batch[200].message = 'nul \u0000 in a message';
  await expect(writer.write(batch.map((e) => input(e)))).rejects.toMatchObject({
    code: '22P05',
    where: expect.stringContaining('COPY alert_occurrences, line'),
  });
  // Not destroyed (a new backend per poison event would be costly), and out of the transaction:
  // the next write on it counts its event.
  expect(pool.totalCount).toBe(connections);
  expect((await writer.write([input(logEvent({ service }))])).counted).toBe(1);
  expect(pool.totalCount).toBe(connections);
});
