import { closeDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { closeKafka } from '../support/kafka';
import { logRecords, startService } from '../support/service';
import {
  alertCount,
  expectExactlyOnce,
  lostBehindCommit,
  prepareStream,
  streamIn,
  verify,
  waitForCompletion,
} from './scenario';

afterAll(async () => {
  await closeKafka();
  await closeDatabase();
});

it('SIGTERM mid-stream: finishes and commits what it holds, exits 0 within 10 s, loses nothing', async () => {
  const stream = await prepareStream(20_000, 3);
  const env = {
    KAFKA_TOPIC: stream.topic,
    KAFKA_DLQ_TOPIC: stream.dlq,
    KAFKA_GROUP_ID: stream.group,
    LOG_LEVEL: 'info',
  };
  const producing = streamIn(stream, 5_000);
  const first = await startService(env);
  await eventually(
    async () => expect(await alertCount(stream.topic)).toBeGreaterThan(stream.alertWorthy.size / 4),
    {
      timeoutMs: 120_000,
    },
  );

  const signalled = Date.now();
  const code = await first.stop('SIGTERM');
  const tookMs = Date.now() - signalled;
  expect(code).toBe(0);
  expect(tookMs).toBeLessThan(10_000);
  const messages = logRecords(first).map((l) => l.msg);
  expect(messages).toContain('shutting down');

  await producing;
  // Nothing committed without its alert, at the moment the first instance left.
  expect(await lostBehindCommit(stream)).toEqual([]);

  const second = await startService({ ...env, LOG_LEVEL: 'warn' });
  try {
    await waitForCompletion(stream);
  } finally {
    await second.stop();
  }
  expectExactlyOnce(await verify(`graceful shutdown: SIGTERM, exit 0 in ${tookMs} ms`, stream));
});
