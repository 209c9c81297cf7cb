import { MessageHandler } from '@nestjs/microservices';
import type { EachBatchPayload } from 'kafkajs';
import { Histogram } from 'prom-client';
import { delay, of, tap } from 'rxjs';
import { KafkaConfig, ProcessingConfig } from '../config/configuration';
import { BatchContext } from './batch-context';
import { CommitTimer } from './commit-timer';
import { ConsumerState } from './consumer-state';
import { InFlightBatches } from './in-flight-batches';
import { KafkaBatchTransport } from './kafka-batch.transport';

const kafka = {
  brokers: ['127.0.0.1:1'],
  clientId: 'test',
  groupId: 'g',
  topic: 'pos-logs',
  partitionsConcurrency: 1,
  ssl: null,
  sasl: null,
} as unknown as KafkaConfig;
const processing: ProcessingConfig = { stallTimeoutMs: 60_000, maxAttempts: 3 };
const inFlight = new InFlightBatches({ set: jest.fn() } as never);
const commitSeconds = new Histogram({
  name: 'commit_seconds',
  help: 'h',
  labelNames: ['outcome'],
  registers: [],
});
const commitsTimed = async () =>
  (await commitSeconds.get()).values
    .filter((v) => v.metricName === 'commit_seconds_count')
    .reduce((n, v) => n + v.value, 0);

function transport() {
  return new KafkaBatchTransport(
    {
      kafka,
      processing,
      routes: { 'pos-logs': 'pos-logs' },
      dependenciesReachable: () => Promise.resolve(true),
      onUnrecoverable: jest.fn(),
    },
    new ConsumerState(),
    inFlight,
    new CommitTimer(commitSeconds),
  );
}

function payload(offsets: string[]) {
  return {
    batch: {
      topic: 'pos-logs',
      partition: 2,
      messages: offsets.map((offset) => ({
        offset,
        key: null,
        value: Buffer.from('{}'),
        headers: {},
        timestamp: '1',
      })),
      firstOffset: () => offsets[0],
      lastOffset: () => offsets[offsets.length - 1],
    },
    isRunning: () => true,
    isStale: () => false,
    heartbeat: jest.fn(() => Promise.resolve()),
    resolveOffset: jest.fn(),
    commitOffsetsIfNecessary: jest.fn(() => Promise.resolve()),
  } as unknown as EachBatchPayload & {
    resolveOffset: jest.Mock;
    commitOffsetsIfNecessary: jest.Mock;
  };
}

type Handle = (h: MessageHandler, p: EachBatchPayload) => Promise<void>;
const handleBatch = (sut: KafkaBatchTransport): Handle =>
  (sut as unknown as { handleBatch: Handle }).handleBatch.bind(sut);

const asHandler = (fn: (data: unknown, ctx: BatchContext) => unknown) =>
  fn as unknown as MessageHandler;

describe(KafkaBatchTransport.name, () => {
  it('refuses to start when no handler is bound to a route, naming the pattern', async () => {
    const sut = transport();
    const err = await new Promise<unknown>((resolve) => sut.listen(resolve));
    expect(String(err)).toContain("no @EventPattern('pos-logs') handler");
  });

  it('hands the whole partition batch to the handler in our own types, then commits its last offset', async () => {
    const sut = transport();
    const p = payload(['10', '11', '12']);
    let seen: unknown;
    let context: BatchContext | undefined;
    await handleBatch(sut)(
      asHandler((data, ctx) => {
        seen = data;
        context = ctx;
        expect(p.resolveOffset).not.toHaveBeenCalled();
        return Promise.resolve();
      }),
      p,
    );
    expect(seen).toMatchObject({
      topic: 'pos-logs',
      partition: 2,
      messages: [{ offset: '10' }, { offset: '11' }, { offset: '12' }],
    });
    expect(context?.getPartition()).toBe(2);
    expect(p.resolveOffset).toHaveBeenCalledWith('12');
    expect(p.commitOffsetsIfNecessary).toHaveBeenCalled();
  });

  it('waits for an observable result (what Nest returns once filters ran) before committing', async () => {
    const sut = transport();
    const p = payload(['5']);
    let completed = false;
    const result = of(null).pipe(delay(20), tap({ complete: () => (completed = true) }));
    await handleBatch(sut)(
      asHandler(() => Promise.resolve(result)),
      p,
    );
    expect(completed).toBe(true);
    expect(p.resolveOffset).toHaveBeenCalledWith('5');
  });

  it('commits nothing and rethrows when the handler fails', async () => {
    const sut = transport();
    const p = payload(['1', '2']);
    await expect(
      handleBatch(sut)(
        asHandler(() => Promise.reject(new Error('bug'))),
        p,
      ),
    ).rejects.toThrow('bug');
    expect(p.resolveOffset).not.toHaveBeenCalled();
    expect(p.commitOffsetsIfNecessary).not.toHaveBeenCalled();
  });

  it('commits nothing, quietly, when the batch was abandoned (shutdown)', async () => {
    const sut = transport();
    const p = payload(['1']);
    await handleBatch(sut)(
      asHandler(async (_data, ctx) => {
        await sut.close();
        expect(ctx.signal.aborted).toBe(true);
        throw new Error('aborted');
      }),
      p,
    );
    expect(p.resolveOffset).not.toHaveBeenCalled();
  });

  describe('with fetch-ahead', () => {
    type Start = (h: MessageHandler, p: EachBatchPayload) => Promise<void>;
    /** A transport whose kafkajs consumer is a recorder of commits and seeks. */
    function aheadTransport() {
      const sut = transport();
      const consumer = { commitOffsets: jest.fn(() => Promise.resolve()), seek: jest.fn() };
      const internals = sut as unknown as {
        consumer: unknown;
        generation: number;
        startBatch: Start;
      };
      internals.consumer = consumer;
      return { sut, consumer, start: internals.startBatch.bind(sut), internals };
    }
    /** A handler whose promise the test settles. */
    function gate() {
      let open!: () => void;
      let fail!: (e: Error) => void;
      const done = new Promise<void>((resolve, reject) => ([open, fail] = [resolve, reject]));
      const handler = jest.fn(() => done);
      return { handler: asHandler(handler), calls: handler, open, fail };
    }
    // Two turns: the handler settles in one, the coalesced commit goes out in the next.
    const settled = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

    it('lets the fetch move on at once and commits the batch only once its handler is done', async () => {
      const { consumer, start } = aheadTransport();
      const g = gate();
      const p = payload(['10', '11']);
      await start(g.handler, p);
      expect(p.resolveOffset).toHaveBeenCalledWith('11');
      expect(consumer.commitOffsets).not.toHaveBeenCalled();
      g.open();
      await settled();
      expect(consumer.commitOffsets).toHaveBeenCalledWith([
        { topic: 'pos-logs', partition: 2, offset: '12' },
      ]);
    });

    it('times every OffsetCommit request it sends', async () => {
      const { start } = aheadTransport();
      const before = await commitsTimed();
      const g = gate();
      await start(g.handler, payload(['20']));
      g.open();
      await settled();
      expect((await commitsTimed()) - before).toBe(1);
    });

    it("starts a partition's next batch only after the one in hand is committed", async () => {
      const { consumer, start } = aheadTransport();
      const first = gate();
      const second = gate();
      await start(first.handler, payload(['1']));
      const next = start(second.handler, payload(['2']));
      await settled();
      expect(second.calls).not.toHaveBeenCalled();
      first.open();
      await next;
      expect(second.calls).toHaveBeenCalled();
      expect(consumer.commitOffsets).toHaveBeenCalledTimes(1);
      second.open();
      await settled();
    });

    it('goes back to a failed batch, commits nothing, and hands the failure to kafkajs with the next batch', async () => {
      const { consumer, start } = aheadTransport();
      const g = gate();
      await start(g.handler, payload(['7', '8']));
      g.fail(new Error('bug'));
      await settled();
      expect(consumer.seek).toHaveBeenCalledWith({ topic: 'pos-logs', partition: 2, offset: '7' });
      expect(consumer.commitOffsets).not.toHaveBeenCalled();
      await expect(start(gate().handler, payload(['7', '8']))).rejects.toThrow('bug');
    });

    it('drops a batch that waited through a rebalance, without handling or resolving it', async () => {
      const { consumer, start, internals } = aheadTransport();
      const first = gate();
      const second = gate();
      await start(first.handler, payload(['1']));
      const p = payload(['2']);
      const waiting = start(second.handler, p);
      internals.generation++;
      first.open();
      await waiting;
      expect(second.calls).not.toHaveBeenCalled();
      expect(p.resolveOffset).not.toHaveBeenCalled();
      expect(consumer.commitOffsets).not.toHaveBeenCalled();
    });

    describe('on close()', () => {
      /** The aheadTransport's consumer, with what close() calls on it. */
      function closable() {
        const t = aheadTransport();
        const consumer = t.consumer as typeof t.consumer & {
          pause: jest.Mock;
          disconnect: jest.Mock;
        };
        consumer.pause = jest.fn();
        consumer.disconnect = jest.fn(() => Promise.resolve());
        return { ...t, consumer };
      }

      it('stops fetching, lets the batch in hand finish and commit, and starts no other', async () => {
        const { sut, consumer, start } = closable();
        const inHand = gate();
        const next = gate();
        await start(inHand.handler, payload(['5', '6']));
        const closing = sut.close();
        expect(consumer.pause).toHaveBeenCalled();
        // Fetched before the pause; it waits for the batch in hand, as every next batch does.
        const nextStarted = start(next.handler, payload(['7']));
        inHand.open();
        await Promise.all([closing, nextStarted]);
        expect(next.calls).not.toHaveBeenCalled();
        expect(consumer.commitOffsets).toHaveBeenCalledWith([
          { topic: 'pos-logs', partition: 2, offset: '7' },
        ]);
        expect(consumer.disconnect).toHaveBeenCalled();
      });

      it('gives a batch that does not finish 5 s, then aborts it uncommitted', async () => {
        jest.useFakeTimers();
        try {
          const { sut, consumer, start } = closable();
          let aborted = false;
          await start(
            asHandler((_data, ctx) => {
              const { signal } = ctx;
              return new Promise((_resolve, reject) =>
                signal.addEventListener('abort', () => {
                  aborted = true;
                  reject(new Error('aborted'));
                }),
              );
            }),
            payload(['5']),
          );
          const closing = sut.close();
          await jest.advanceTimersByTimeAsync(4_900);
          expect(aborted).toBe(false);
          await jest.advanceTimersByTimeAsync(200);
          await closing;
          expect(aborted).toBe(true);
          expect(consumer.commitOffsets).not.toHaveBeenCalled();
        } finally {
          jest.useRealTimers();
        }
      });
    });

    it('does not commit a batch started before the group rebalanced', async () => {
      const { consumer, start, internals } = aheadTransport();
      const g = gate();
      await start(g.handler, payload(['3']));
      internals.generation++;
      g.open();
      await settled();
      expect(consumer.commitOffsets).not.toHaveBeenCalled();
    });
  });
});
