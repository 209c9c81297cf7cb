import { Counter } from 'prom-client';
import { encode, logEvent } from '../../test/factories/log-event.factory';
import { AlertsService } from '../alerts/alerts.service';
import { OccurrenceInput } from '../alerts/occurrence-input';
import { DatabaseConfig } from '../config/configuration';
import { RulesService } from '../rules/rules.service';
import { PriceMissingDetector } from '../rules/detectors/price-missing.detector';
import { DeadLetter } from './dead-letter';
import { DeadLetterService } from './dead-letter.service';
import { DecodedBatch } from './decoded-batch';
import { IngestService } from './ingest.service';
import { InvalidEventReason } from './invalid-event.error';

const counter = () => ({ inc: jest.fn() }) as unknown as Counter<string>;

function batch(codes: string[], rejected: DeadLetter[] = []): DecodedBatch {
  return {
    topic: 'pos-logs',
    partition: 0,
    valid: codes.map((code, i) => {
      const event = logEvent({ error_code: code });
      const offset = String(i);
      return {
        event,
        ref: { topic: 'pos-logs', partition: 0, offset, request_id: event.request_id },
        message: { offset, key: null, value: encode(event), headers: {}, timestamp: '1' },
      };
    }),
    rejected,
  };
}

describe(IngestService.name, () => {
  const signal = new AbortController().signal;
  let recorded: OccurrenceInput[][];
  let shared: boolean[];
  let published: DeadLetter[][];
  const build = (record: (items: OccurrenceInput[]) => Promise<unknown>) =>
    new IngestService(
      new RulesService([new PriceMissingDetector()]),
      {
        record: (items: OccurrenceInput[], share = false) => (
          recorded.push(items),
          shared.push(share),
          record(items)
        ),
      } as AlertsService,
      {
        publish: (letters: DeadLetter[]) => (published.push(letters), Promise.resolve()),
      } as unknown as DeadLetterService,
      { maxAttempts: 2, stallTimeoutMs: 1000 },
      { retryMaxMs: 1 } as DatabaseConfig,
      counter(),
      counter(),
    );
  beforeEach(() => {
    recorded = [];
    shared = [];
    published = [];
  });

  it('records every alert-worthy event of the batch in one call, and nothing for the others', async () => {
    await build(() => Promise.resolve()).process(
      batch(['PRICE_MISSING', 'CARD_DECLINED', 'PRICE_MISSING']),
      signal,
    );
    expect(recorded).toHaveLength(1);
    expect(recorded[0].map((i) => i.ref.offset)).toEqual(['0', '2']);
    expect(recorded[0][0].match.detector).toBe('price-missing');
    expect(recorded[0][0].receivedBytes).toBeGreaterThan(100);
  });

  it('dead-letters rejected messages and unstorable ones together, after the write', async () => {
    const rejected: DeadLetter = {
      ...batch(['X']).valid[0],
      reason: InvalidEventReason.INVALID_JSON,
      error: 'bad',
    };
    const b = batch(['PRICE_MISSING', 'PRICE_MISSING'], [rejected]);
    const poisoned = b.valid[1].event.request_id;
    await build((items) =>
      items.some((i) => i.event.request_id === poisoned)
        ? Promise.reject(Object.assign(new Error('bad byte'), { code: '22P05' }))
        : Promise.resolve(),
    ).process(b, signal);
    expect(published).toHaveLength(1);
    expect(published[0].map((l) => [l.reason, l.ref.offset])).toEqual([
      [InvalidEventReason.INVALID_JSON, '0'],
      [InvalidEventReason.UNSTORABLE, '1'],
    ]);
    expect(published[0][1].message).toBe(b.valid[1].message);
  });

  it('lets only the first attempt share a transaction with other batches, never a retry', async () => {
    let attempts = 0;
    await build(() =>
      ++attempts === 1
        ? Promise.reject(Object.assign(new Error('down'), { code: '57P01' }))
        : Promise.resolve(),
    ).process(batch(['PRICE_MISSING', 'PRICE_MISSING']), signal);
    expect(shared).toEqual([true, false]);
    expect(recorded.map((items) => items.length)).toEqual([2, 2]);
  });

  it('does not resolve while the write keeps failing transiently (the offset must wait)', async () => {
    const abort = new AbortController();
    let attempts = 0;
    const processing = build(() => {
      if (++attempts === 3) abort.abort();
      return Promise.reject(Object.assign(new Error('down'), { code: '57P01' }));
    }).process(batch(['PRICE_MISSING']), abort.signal);
    await expect(processing).rejects.toBeDefined();
    expect(published).toHaveLength(0);
  });
});
