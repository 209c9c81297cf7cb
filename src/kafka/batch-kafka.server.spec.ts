import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { BatchKafkaServer } from './batch-kafka.server';
import { Gauge } from 'prom-client';
import { ConsumerState } from './consumer-state';
import { InFlightBatches } from './in-flight-batches';

const message = (offset: number) =>
  ({ offset: String(offset), value: Buffer.from(`m${offset}`) }) as KafkaMessage;

function payload(offsets: number[]) {
  const calls = { resolved: [] as string[], commits: 0 };
  const p = {
    batch: { topic: 'pos-logs', partition: 2, messages: offsets.map(message) },
    resolveOffset: (o: string) => calls.resolved.push(o),
    heartbeat: async () => undefined,
    commitOffsetsIfNecessary: async () => void calls.commits++,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { p, calls };
}

const inFlightBatches = () => new InFlightBatches({} as Gauge<string>);

describe(BatchKafkaServer.name, () => {
  let inFlight: InFlightBatches;
  beforeEach(() => (inFlight = inFlightBatches()));

  const build = (handle: (data: Buffer) => Promise<void>) => {
    const sut = new BatchKafkaServer(
      { routes: { 'pos-logs': 'pos-logs' } },
      new ConsumerState(),
      inFlight,
    );
    const dispatched: Array<{ pattern: string; data: Buffer }> = [];
    jest.spyOn(sut, 'handleEvent').mockImplementation(async (pattern, packet) => {
      dispatched.push({ pattern, data: packet.data as Buffer });
      await handle(packet.data as Buffer);
    });
    const handleBatch = (p: EachBatchPayload) => (sut as any).handleBatch(p) as Promise<void>;
    return { handleBatch, dispatched };
  };

  it('hands every message of the batch to the routed pattern with its raw value, then resolves and commits the last offset', async () => {
    const { handleBatch, dispatched } = build(async () => undefined);
    const { p, calls } = payload([10, 11, 12]);
    await handleBatch(p);
    expect(dispatched.map((d) => [d.pattern, d.data.toString()])).toEqual([
      ['pos-logs', 'm10'],
      ['pos-logs', 'm11'],
      ['pos-logs', 'm12'],
    ]);
    expect(calls).toEqual({ resolved: ['12'], commits: 1 });
    expect((inFlight as any).startedAt.size).toBe(0);
  });

  it('resolves only the prefix before the first failure and rethrows, so kafkajs refetches from there', async () => {
    const { handleBatch } = build(async (data) => {
      if (data.toString() === 'm12' || data.toString() === 'm14') throw new Error('database down');
    });
    const { p, calls } = payload([10, 11, 12, 13, 14]);
    await expect(handleBatch(p)).rejects.toThrow('database down');
    expect(calls).toEqual({ resolved: ['11'], commits: 1 });
    expect(inFlight.oldestAgeMs()).toBeGreaterThanOrEqual(0);
    expect((inFlight as any).startedAt.size).toBe(1); // still in hand: it will be retried
  });

  it('resolves nothing when the first message fails', async () => {
    const { handleBatch } = build(async () => {
      throw new Error('boom');
    });
    const { p, calls } = payload([10, 11]);
    await expect(handleBatch(p)).rejects.toThrow('boom');
    expect(calls.resolved).toEqual([]);
  });
});

describe(`${BatchKafkaServer.name} consumer events`, () => {
  function withFakeConsumer(onUnrecoverable: (e: Error) => void) {
    const state = new ConsumerState();
    const sut = new BatchKafkaServer({ routes: {} }, state, inFlightBatches(), onUnrecoverable);
    const listeners = new Map<string, (e: unknown) => void>();
    const events = {
      CONNECT: 'connect',
      DISCONNECT: 'disconnect',
      REBALANCING: 'rebalancing',
      STOP: 'stop',
      CRASH: 'crash',
      GROUP_JOIN: 'group_join',
    };
    (sut as any).consumer = {
      events,
      on: (name: string, fn: (e: unknown) => void) => listeners.set(name, fn),
    };
    sut.registerConsumerEventListeners();
    jest.spyOn((sut as any).logger, 'error').mockImplementation(() => undefined);
    const emit = (name: string, payload: unknown) => listeners.get(name)!({ payload });
    return { state, emit };
  }

  it('tracks group membership for readiness', () => {
    const { state, emit } = withFakeConsumer(() => undefined);
    emit('group_join', { memberId: 'm-1' });
    expect(state.snapshot().inGroup).toBe(true);
    emit('rebalancing', {});
    expect(state.snapshot().inGroup).toBe(false);
  });

  it('gives up the process only when kafkajs will not restart the consumer', () => {
    const onUnrecoverable = jest.fn();
    const { emit } = withFakeConsumer(onUnrecoverable);
    emit('crash', { error: new Error('retriable'), restart: true });
    expect(onUnrecoverable).not.toHaveBeenCalled();
    const fatal = new Error('group authorization failed');
    emit('crash', { error: fatal, restart: false });
    expect(onUnrecoverable).toHaveBeenCalledWith(fatal);
  });
});
