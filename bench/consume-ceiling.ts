import { loadAppConfig } from '../src/config/app-config';
import { consumerOptions } from '../src/kafka/kafka-options';
import { endOffsetTotal, kafka, runId } from './bench-env';
import { serviceEnv } from './service-process';

/**
 * A: a bare kafkajs eachBatch consumer that only parses JSON, configured as the service's is (its
 * fetch sizes and wait, its partition concurrency from the same environment the service gets) and
 * committing as it does: every batch resolved and committed before the next. Events/s from run()
 * to the moment the final commit resolves.
 */
export async function consumeCeiling(
  databaseUrl: string,
  topic: string,
): Promise<{ rate: number; seconds: number }> {
  const group = `bench-a-${runId()}`;
  const config = loadAppConfig(serviceEnv(databaseUrl, topic, group)).kafka;
  const count = Number(await endOffsetTotal(topic));
  const consumer = kafka.consumer(consumerOptions(config, () => Promise.resolve(false)));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let committed = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  await consumer.run({
    partitionsConsumedConcurrently: config.partitionsConcurrency,
    eachBatchAutoResolve: false,
    autoCommitThreshold: 1,
    eachBatch: async (payload) => {
      const { batch } = payload;
      for (const m of batch.messages) {
        try {
          JSON.parse(m.value!.toString());
        } catch {
          // a malformed message: the service dead-letters it, the ceiling only skips it
        }
      }
      payload.resolveOffset(batch.lastOffset());
      await payload.commitOffsetsIfNecessary();
      committed += batch.messages.length;
      if (committed >= count) finish();
    },
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return { rate: count / seconds, seconds };
}
