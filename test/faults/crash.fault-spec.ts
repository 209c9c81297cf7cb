import { closeDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { closeKafka } from '../support/kafka';
import { ServiceProcess, startService } from '../support/service';
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

it('kill -9 three times mid-stream: every alert exactly once, every bad message dead-lettered', async () => {
  const stream = await prepareStream(20_000, 3);
  const env = {
    KAFKA_TOPIC: stream.topic,
    KAFKA_DLQ_TOPIC: stream.dlq,
    KAFKA_GROUP_ID: stream.group,
    LOG_LEVEL: 'warn',
  };
  const producing = streamIn(stream, 5_000);

  // Kill points: random, spread over the run, by how many alerts are stored.
  const expected = stream.alertWorthy.size;
  const killAt = [0.2, 0.45, 0.7].map((f) => Math.floor(expected * (f + Math.random() * 0.15)));
  let service: ServiceProcess = await startService(env);
  for (const threshold of killAt) {
    await eventually(
      async () => expect(await alertCount(stream.topic)).toBeGreaterThanOrEqual(threshold),
      {
        timeoutMs: 120_000,
      },
    );
    await service.stop('SIGKILL');
    service = await startService(env);
  }
  await producing;
  try {
    await waitForCompletion(stream);
    expect(await lostBehindCommit(stream)).toEqual([]);
  } finally {
    await service.stop();
  }
  expectExactlyOnce(await verify('crash: kill -9 x3 during 20,000 events', stream));
});
