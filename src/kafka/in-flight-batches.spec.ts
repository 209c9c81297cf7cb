import { Gauge } from 'prom-client';
import { InFlightBatches } from './in-flight-batches';

describe(InFlightBatches.name, () => {
  const gauge = { set: jest.fn() } as unknown as Gauge<string> & { collect: () => void };
  let now = 1_000_000;
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
  afterEach(() => jest.restoreAllMocks());

  it('reports the age of the oldest unfinished batch when scraped, 0 when idle', () => {
    const sut = new InFlightBatches(gauge);
    const finishA = sut.start('pos-logs', 0);
    now += 5_000;
    sut.start('pos-logs', 1);
    now += 2_000;
    gauge.collect();
    expect(gauge.set).toHaveBeenLastCalledWith(7);
    finishA();
    expect(sut.oldestAgeMs()).toBe(2_000);
  });

  it('keeps the first start time of a batch that is retried', () => {
    const sut = new InFlightBatches(gauge);
    sut.start('pos-logs', 0);
    now += 30_000;
    const finish = sut.start('pos-logs', 0); // kafkajs retries the same partition's batch
    now += 1_000;
    expect(sut.oldestAgeMs()).toBe(31_000);
    finish();
    expect(sut.oldestAgeMs()).toBe(0);
  });
});
