import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { INSERT_OCCURRENCES_SQL } from '../src/alerts/alert-groups.sql';
import {
  asArrayLiterals,
  asBinaryCopy,
  asCopyText,
  asJsonRecordset,
  chunked,
  occurrenceRows,
  ROW_COLUMNS,
} from './occurrence-rows';
import { repeatIfShort, Repeated } from './repeat';

export const WRITE_METHODS = ['jsonb_to_recordset', 'unnest', 'copy', 'copy_binary'] as const;
export type WriteMethod = (typeof WRITE_METHODS)[number];

export interface WriteCeiling {
  rows: number;
  methods: Record<WriteMethod, Repeated>;
  /** The method with the highest median: B. */
  fastest: WriteMethod;
}

const TABLE = 'alert_occurrences_ceiling';
const ROWS_PER_STATEMENT = 5000;

/** The service's INSERT (its path when copies are stored), aimed at the copy of the table. */
function serviceInsert(): string {
  const target = 'INSERT INTO alert_occurrences ';
  if (!INSERT_OCCURRENCES_SQL.includes(target)) throw new Error('occurrence INSERT changed shape');
  return INSERT_OCCURRENCES_SQL.replace(target, `INSERT INTO ${TABLE} `);
}

const UNNEST_SQL = `
  INSERT INTO ${TABLE} (${ROW_COLUMNS})
  SELECT * FROM UNNEST($1::text[], $2::timestamptz[], $3::uuid[], $4::text[], $5::int[],
                       $6::bigint[], $7::jsonb[])`;

/**
 * One method: its input encoded per statement before the clock, then each run on an empty table,
 * statements dealt alternately to the two connections.
 */
async function measureMethod<T>(
  clients: Client[],
  rows: number,
  encoded: T[],
  write: (client: Client, mine: T[]) => Promise<void>,
): Promise<Repeated> {
  const shares = clients.map((_, k) => encoded.filter((_, i) => i % clients.length === k));
  return repeatIfShort(async () => {
    await clients[0].query(`TRUNCATE ${TABLE}`);
    const started = performance.now();
    await Promise.all(clients.map((client, k) => write(client, shares[k])));
    const seconds = (performance.now() - started) / 1000;
    return { rate: rows / seconds, seconds };
  });
}

/**
 * B: the occurrence rows the service would write for the run's events, written four ways from
 * Node, each over two connections into a copy of the occurrences table with its keys and indexes:
 * the service's fallback jsonb_to_recordset INSERT, a plain INSERT ... SELECT FROM UNNEST of typed
 * arrays, COPY in text format, and the binary COPY the service writes with. The same rows for
 * all; rows/s per method, and the fastest is the ceiling.
 */
export async function writeCeiling(
  databaseUrl: string,
  count: number,
  alertRatio: number,
): Promise<WriteCeiling> {
  const rows = occurrenceRows(count, alertRatio);
  const chunks = chunked(rows, ROWS_PER_STATEMENT);
  const clients = [
    new Client({ connectionString: databaseUrl }),
    new Client({ connectionString: databaseUrl }),
  ];
  await Promise.all(clients.map((c) => c.connect()));
  // LIKE on the partitioned parent makes a plain table with the same columns, primary key and
  // indexes: no partition routing, which only makes the ceiling a little higher.
  await clients[0].query(`CREATE TABLE ${TABLE} (LIKE alert_occurrences INCLUDING ALL)`);
  try {
    const insert = serviceInsert();
    // One encoding at a time, so a 1M-event run holds the rows and one copy of them, not three.
    const jsonb = await measureMethod(
      clients,
      rows.length,
      chunks.map(asJsonRecordset),
      async (c, mine) => {
        for (const json of mine) await c.query(insert, [json]);
      },
    );
    const unnest = await measureMethod(
      clients,
      rows.length,
      chunks.map(asArrayLiterals),
      async (c, mine) => {
        for (const arrays of mine) await c.query(UNNEST_SQL, arrays);
      },
    );
    const copy = await measureMethod(clients, rows.length, chunks.map(asCopyText), (c, mine) =>
      pipeline(Readable.from(mine), c.query(copyFrom(`COPY ${TABLE} (${ROW_COLUMNS}) FROM STDIN`))),
    );
    // The service's own write: one binary COPY per statement's worth of rows.
    const binary = await measureMethod(
      clients,
      rows.length,
      chunks.map(asBinaryCopy),
      async (c, mine) => {
        for (const data of mine) {
          await pipeline(
            Readable.from([data]),
            c.query(copyFrom(`COPY ${TABLE} (${ROW_COLUMNS}) FROM STDIN (FORMAT binary)`)),
          );
        }
      },
    );
    const methods: Record<WriteMethod, Repeated> = {
      jsonb_to_recordset: jsonb,
      unnest,
      copy,
      copy_binary: binary,
    };
    const fastest = WRITE_METHODS.reduce((a, b) => (methods[b].median > methods[a].median ? b : a));
    return { rows: rows.length, methods, fastest };
  } finally {
    await clients[0].query(`DROP TABLE IF EXISTS ${TABLE}`);
    await Promise.all(clients.map((c) => c.end()));
  }
}
