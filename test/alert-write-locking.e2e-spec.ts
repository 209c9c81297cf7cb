import { RecordResult } from '../src/alerts/alert-groups.writer';
import { OccurrenceInput } from '../src/alerts/occurrence-input';
import { logEvent } from './factories/log-event.factory';
import { query, uniqueService } from './support/database';
import { occurrencesWithoutAlert } from './support/groups-observe';
import { WriterModule, writerModule } from './support/writer-module';

/**
 * Concurrent batches (one per Kafka partition, each one transaction) that count on the same alerts
 * must queue for those rows, never deadlock. A deadlock loses nothing (Postgres aborts one batch,
 * which is retried) but costs a partition deadlock_timeout (1 s) each time: it was the service's
 * p99. The writer is called in-process, without Kafka, so that the batches really overlap.
 */

/** Alerts the batches count on. */
const K = 30;
/** Batches at once, as the partitions of one consumer send them. */
const CONCURRENCY = 6;
/** Batches each partition writes, one after another: each is another chance to lock out of order. */
const BATCHES = 10;
/** Other alerts, so the table is larger than the planner's guess at a batch (see below). */
const OTHERS = 300;
/** Retries of a batch that lost a race to open an alert (the StorePolicy retries it likewise). */
const MAX_RETRIES = 5;
const DEADLOCK = '40P01';

let writing: WriterModule;
let writer: WriterModule['writer'];

beforeAll(async () => {
  writing = await writerModule({
    // A connection per concurrent batch: they must wait on each other's rows, not on the pool.
    DATABASE_POOL_SIZE: String(CONCURRENCY + 2),
    // The second test admits CONCURRENCY * K new alerts before the losers are refunded: the storm
    // guard must not fold them into an overflow alert.
    ALERT_MAX_NEW_PER_MINUTE: '100000',
  });
  // The writer itself: the StorePolicy that retries a failed batch (an AlertRaceError, but also a
  // deadlock) would hide what this spec looks for.
  writer = writing.writer;
});

afterAll(() => writing?.close());

const productsOf = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

let offset = 0;

/** A batch read from `partition`: one new event of `service` per product, in a random order. */
function batch(service: string, partition: number, products: string[]): OccurrenceInput[] {
  const inputs = products.map((product) => {
    const event = logEvent({ service, error_code: 'PRICE_MISSING', product_id: product });
    return writing.input(event, {
      topic: 'alert-write-locking',
      partition,
      offset: String(offset++),
    });
  });
  return shuffle(inputs);
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** What a rejected write says, compact enough to read in a failed expectation. */
function failure(err: unknown) {
  const e = err as { name?: string; code?: string; driverError?: { code?: string }; race?: true };
  return {
    name: e.name,
    code: e.code ?? e.driverError?.code,
    race: e.race === true,
    message: String((err as Error).message),
  };
}

/** The writes at once; how each one ended, in order. */
const concurrently = (batches: OccurrenceInput[][]) =>
  Promise.allSettled(batches.map((inputs) => writer.write(inputs)));

const rejections = (settled: PromiseSettledResult<RecordResult>[]) =>
  settled.filter((s) => s.status === 'rejected').map((s) => failure(s.reason));

/**
 * Each alert of `service` among `products`: what it counted and how many occurrence rows point at
 * it. One line per alert, so a second alert of one problem would show.
 */
async function countsOf(service: string, products: string[]): Promise<string[]> {
  const rows = await query<{ product: string; counted: string; stored: string }>(
    `SELECT group_labels->>'product_id' AS product, occurrences AS counted,
            (SELECT count(*) FROM alert_occurrences o WHERE o.alert_id = a.id) AS stored
       FROM alerts a
      WHERE metadata->>'service' = $1 AND group_labels->>'product_id' = ANY($2)`,
    [service, products],
  );
  return rows.map((r) => `${r.product}: ${r.counted} counted, ${r.stored} stored`).sort();
}

const expected = (counts: Map<string, number>) =>
  [...counts].map(([product, n]) => `${product}: ${n} counted, ${n} stored`).sort();

it('batches counting on the same hot alerts, each in its own order, queue instead of deadlocking', async () => {
  const service = uniqueService('locking-hot');
  const hot = productsOf('hot', K);
  // The planner takes a jsonb_to_recordset for 100 rows: on a table of a few dozen alerts it hashes
  // the table and probes it in the batch's id order, and the old UPDATE happened to lock in order.
  // On a table as large as production's it scans alerts and locks them in physical order, which
  // every update changes: open other alerts so the table is that large even when run alone.
  const others = productsOf('other', OTHERS);
  const opening = await writer.write(batch(service, 0, [...hot, ...others]));
  expect(opening.opened).toHaveLength(K + OTHERS);

  // Each partition writes its batches one after another, not in step with the others, so their
  // transactions overlap at every stage. Each batch counts on a random half of the hot alerts, as a
  // partition's batch holds some of the problems: an update moves some rows and not others, so
  // batches scanning a moment apart meet the same rows in different orders.
  const counts = new Map(hot.map((p) => [p, 1]));
  const failures: ReturnType<typeof failure>[] = [];
  const partition = async (p: number) => {
    // One failure is enough, and each deadlock costs a second: stop there.
    for (let n = 0; n < BATCHES && failures.length === 0; n++) {
      const some = hot.filter(() => Math.random() < 0.5);
      for (const product of some) counts.set(product, counts.get(product)! + 1);
      await writer.write(batch(service, p, some)).catch((err) => failures.push(failure(err)));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, p) => partition(p)));

  expect(failures.filter((f) => f.code === DEADLOCK)).toEqual([]);
  expect(failures).toEqual([]);
  // Exact: every batch committed once, so each alert counted its opening event and its batches'.
  expect(await countsOf(service, hot)).toEqual(expected(counts));
});

it('batches opening the same new problems at once lose a race, never deadlock, and count exactly once retried', async () => {
  const service = uniqueService('locking-new');
  const problems = productsOf('new', K);
  let pending = Array.from({ length: CONCURRENCY }, (_, p) => batch(service, p, problems));
  const failures: ReturnType<typeof failure>[] = [];

  // All find no alert and insert the same K fingerprints: one opens them, the others wait on its
  // new rows and must come back with AlertRaceError (which the caller retries), not a deadlock.
  // Their retries then count on the winner's alerts, concurrently again.
  for (let attempt = 0; attempt <= MAX_RETRIES && pending.length > 0; attempt++) {
    const settled = await concurrently(pending);
    const lost = settled.map((s) => s.status === 'rejected' && failure(s.reason).race);
    failures.push(...rejections(settled).filter((f) => !f.race));
    pending = pending.filter((_, i) => lost[i]);
  }

  expect(failures.filter((f) => f.code === DEADLOCK)).toEqual([]);
  expect(failures).toEqual([]);
  expect(pending).toHaveLength(0);
  // One alert per problem (no loser opened a second), each counting every batch's event once, and
  // no occurrence left pointing at an alert a loser meant to open.
  expect(await countsOf(service, problems)).toEqual(
    expected(new Map(problems.map((p) => [p, CONCURRENCY]))),
  );
  expect(await occurrencesWithoutAlert(service)).toBe(0);
});
