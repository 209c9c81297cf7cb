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

describe(`${InFlightBatches.name} across rebalances`, () => {
  const gauge = { set: jest.fn() } as unknown as Gauge<string>;
  let now = 1_000_000;
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
  afterEach(() => jest.restoreAllMocks());

  it('keeps the age of a stuck batch whose partition stays assigned after a rebalance', () => {
    const sut = new InFlightBatches(gauge);
    sut.start('pos-logs', 0);
    now += 10_000;
    sut.retainAssigned({ 'pos-logs': [0, 1] });
    expect(sut.oldestAgeMs()).toBe(10_000);
  });

  it('drops batches of partitions that moved away (after a rebalance or a crash and rejoin)', () => {
    const sut = new InFlightBatches(gauge);
    sut.start('pos-logs', 0);
    sut.start('pos-logs', 3);
    now += 10_000;
    sut.retainAssigned({ 'pos-logs': [3] });
    sut.start('pos-logs', 3);
    expect(sut.oldestAgeMs()).toBe(10_000);
    sut.retainAssigned({ 'pos-logs': [1] });
    expect(sut.oldestAgeMs()).toBe(0);
  });
});
