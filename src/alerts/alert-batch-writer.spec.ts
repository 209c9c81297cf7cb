import { Logger } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { Repository } from 'typeorm';
import { DatabaseConfig } from '../config/configuration';
import { InvalidEventError, InvalidEventReason } from '../ingest/invalid-event.error';
import { AlertBatchWriter } from './alert-batch-writer';
import { Alert } from './alert.entity';

type Insert = (rows: Alert[]) => Promise<string[]>;

/** A repository whose INSERT is `insert`: it gets the rows and returns the event keys "inserted". */
function fakeRepository(insert: Insert): Repository<Alert> {
  return {
    query: async (_sql: string, [json]: [string]) => {
      const rows = (JSON.parse(json) as Array<{ event_key: string }>).map((r) =>
        Object.assign(new Alert(), { eventKey: r.event_key }),
      );
      return (await insert(rows)).map((event_key) => ({ event_key }));
    },
  } as unknown as Repository<Alert>;
}

const config = { writeBatchSize: 100, retryMaxMs: 20 } as DatabaseConfig;
const histogram = { startTimer: () => () => 0 } as unknown as Histogram<string>;
const alert = (key: string) => Object.assign(new Alert(), { eventKey: key });
const connectionError = () =>
  Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const jsonbError = () =>
  Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });

describe(AlertBatchWriter.name, () => {
  let logs: { error: jest.SpyInstance; log: jest.SpyInstance };
  beforeEach(() => {
    logs = {
      error: jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined),
      log: jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined),
    };
  });
  afterEach(() => jest.restoreAllMocks());

  it('writes the alerts of one tick as one INSERT and tells new from existing', async () => {
    const insert = jest.fn<Promise<string[]>, [Alert[]]>(async (rows) =>
      rows.map((r) => r.eventKey).filter((k) => k !== 'old'),
    );
    const sut = new AlertBatchWriter(fakeRepository(insert), config, histogram);
    const results = await Promise.all(['a', 'old', 'b'].map((k) => sut.write(alert(k))));
    expect(results).toEqual([true, false, true]);
    expect(insert).toHaveBeenCalledTimes(1);
    expect(insert.mock.calls[0][0].map((r) => r.eventKey)).toEqual(['a', 'old', 'b']);
  });

  it('counts two copies of one event in a tick as one created and one existing', async () => {
    const insert = async (rows: Alert[]) => [...new Set(rows.map((r) => r.eventKey))];
    const sut = new AlertBatchWriter(fakeRepository(insert), config, histogram);
    const results = await Promise.all(['a', 'a'].map((k) => sut.write(alert(k))));
    expect(results).toEqual([true, false]);
  });

  it('splits a tick into statements of at most DATABASE_WRITE_BATCH_SIZE rows', async () => {
    const insert = jest.fn<Promise<string[]>, [Alert[]]>(async (rows) =>
      rows.map((r) => r.eventKey),
    );
    const sut = new AlertBatchWriter(
      fakeRepository(insert),
      { ...config, writeBatchSize: 2 },
      histogram,
    );
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => sut.write(alert(k))));
    expect(insert.mock.calls.map((c) => c[0].length)).toEqual([2, 2, 1]);
  });

  it('retries a transient failure until it succeeds, logging the outage once and the recovery once', async () => {
    let failures = 3;
    const sut = new AlertBatchWriter(
      fakeRepository(async (rows) => {
        if (failures-- > 0) throw connectionError();
        return rows.map((r) => r.eventKey);
      }),
      config,
      histogram,
    );
    await expect(sut.write(alert('a'))).resolves.toBe(true);
    expect(logs.error).toHaveBeenCalledTimes(1);
    expect(logs.error).toHaveBeenCalledWith(expect.objectContaining({ code: 'ECONNREFUSED' }));
    expect(logs.log).toHaveBeenCalledWith(
      expect.objectContaining({ msg: 'alert writes recovered' }),
    );
  });

  it('isolates a row Postgres can never store and rejects only that one as UNSTORABLE', async () => {
    const sut = new AlertBatchWriter(
      fakeRepository(async (rows) => {
        if (rows.some((r) => r.eventKey === 'nul')) throw jsonbError();
        return rows.map((r) => r.eventKey);
      }),
      config,
      histogram,
    );
    const [good, bad, other] = ['good', 'nul', 'other'].map((k) => sut.write(alert(k)));
    await expect(good).resolves.toBe(true);
    await expect(other).resolves.toBe(true);
    await expect(bad).rejects.toEqual(expect.any(InvalidEventError));
    await expect(bad).rejects.toMatchObject({ reason: InvalidEventReason.UNSTORABLE });
  });

  it('gives up waiting for the database on shutdown, so nothing is acknowledged', async () => {
    let attempts = 0;
    const sut = new AlertBatchWriter(
      fakeRepository(async () => {
        attempts++;
        throw connectionError();
      }),
      { ...config, retryMaxMs: 60_000 },
      histogram,
    );
    const pending = sut.write(alert('a'));
    while (attempts < 2) await new Promise((resolve) => setImmediate(resolve));
    sut.beforeApplicationShutdown();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
