import { Logger } from '@nestjs/common';
import { MergedWriteError } from '../alerts/group-commit';
import { InvalidEventReason } from './invalid-event.error';
import { StorePolicy } from './store-policy';

const pg = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe(StorePolicy.name, () => {
  const onFailure = jest.fn();
  const sut = () => new StorePolicy({ maxAttempts: 3, retryCapMs: 1, onFailure });
  const signal = new AbortController().signal;
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each(['57P01', '08006', '53300', '40001'])(
    'retries the whole batch through transient error %s until it is stored',
    async (code) => {
      let calls = 0;
      const write = jest.fn((items: string[]) =>
        ++calls < 5 ? Promise.reject(pg(code)) : Promise.resolve(items),
      );
      await expect(sut().store(['a', 'b'], write, signal)).resolves.toEqual([]);
      expect(write).toHaveBeenCalledTimes(5);
      expect(write.mock.calls.every(([items]) => items.length === 2)).toBe(true);
    },
  );

  it('meters a lost race or a deadlock as race, apart from an outage', async () => {
    onFailure.mockClear();
    const errors = [
      pg('40P01'),
      Object.assign(new Error('opened elsewhere'), { race: true }),
      pg('57P01'),
    ];
    const write = () => {
      const err = errors.shift();
      return err ? Promise.reject(err) : Promise.resolve();
    };
    await expect(sut().store(['a', 'b'], write, signal)).resolves.toEqual([]);
    expect(onFailure.mock.calls).toEqual([['race'], ['race'], ['transient']]);
  });

  it('leaves a failed shared write unmetered: each batch retries alone and meters its own failure', async () => {
    onFailure.mockClear();
    const errors = [new MergedWriteError(pg('57P01')), pg('57P01')];
    const write = () => {
      const err = errors.shift();
      return err ? Promise.reject(err) : Promise.resolve();
    };
    await expect(sut().store(['a', 'b'], write, signal)).resolves.toEqual([]);
    expect(onFailure.mock.calls).toEqual([['transient']]);
  });

  it('isolates a row Postgres can never store; its neighbours are stored', async () => {
    const stored: string[] = [];
    const write = (items: string[]) => {
      if (items.includes('bad')) return Promise.reject(pg('22P05'));
      stored.push(...items);
      return Promise.resolve();
    };
    const unstored = await sut().store(['a', 'bad', 'c'], write, signal);
    expect(stored).toEqual(['a', 'c']);
    expect(unstored).toEqual([
      { item: 'bad', reason: InvalidEventReason.UNSTORABLE, error: 'pg 22P05' },
    ]);
  });

  it('does not retry a bug forever: after maxAttempts it goes message by message, and only what still fails is PROCESSING_FAILED', async () => {
    const stored: string[] = [];
    const write = jest.fn((items: string[]) => {
      if (items.includes('poison')) return Promise.reject(new TypeError('x is undefined'));
      stored.push(...items);
      return Promise.resolve();
    });
    const unstored = await sut().store(['a', 'poison', 'c'], write, signal);
    expect(stored).toEqual(['a', 'c']);
    expect(unstored).toEqual([
      { item: 'poison', reason: InvalidEventReason.PROCESSING_FAILED, error: 'x is undefined' },
    ]);
    // 3 whole-batch attempts, then a, poison x3, c.
    expect(write).toHaveBeenCalledTimes(3 + 1 + 3 + 1);
  });

  it('stops retrying as soon as the batch is abandoned, and rejects', async () => {
    const abort = new AbortController();
    const write = jest.fn(() => {
      abort.abort();
      return Promise.reject(pg('57P01'));
    });
    await expect(sut().store(['a'], write, abort.signal)).rejects.toBeDefined();
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('stops waiting for a write that hangs once the batch is abandoned', async () => {
    const abort = new AbortController();
    const hung = new Promise<never>(() => undefined);
    const result = sut().store(['a'], () => hung, abort.signal);
    abort.abort();
    await expect(result).rejects.toBeDefined();
  });
});
