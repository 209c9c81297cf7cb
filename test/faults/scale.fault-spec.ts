import { closeDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { closeKafka } from '../support/kafka';
import { startService } from '../support/service';
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

it('3 instances on 6 partitions; one leaves with SIGTERM, one dies with kill -9: nothing lost or doubled', async () => {
  const stream = await prepareStream(20_000, 6);
  const env = {
    KAFKA_TOPIC: stream.topic,
    KAFKA_DLQ_TOPIC: stream.dlq,
    KAFKA_GROUP_ID: stream.group,
    LOG_LEVEL: 'warn',
  };
  const fleet = await Promise.all([startService(env), startService(env), startService(env)]);
  try {
    await Promise.all(fleet.map((s) => s.waitReady()));
    const producing = streamIn(stream, 4_000);
    const third = stream.alertWorthy.size / 3;
    await eventually(async () => expect(await alertCount(stream.topic)).toBeGreaterThan(third), {
      timeoutMs: 120_000,
    });
    expect(await fleet[0].stop('SIGTERM')).toBe(0);
    await eventually(
      async () => expect(await alertCount(stream.topic)).toBeGreaterThan(2 * third),
      {
        timeoutMs: 120_000,
      },
    );
    await fleet[1].stop('SIGKILL');
    await producing;
    await waitForCompletion(stream);
    expect(await lostBehindCommit(stream)).toEqual([]);
  } finally {
    await Promise.all(fleet.map((s) => s.stop()));
  }
  expectExactlyOnce(await verify('scale: 3 instances, SIGTERM one, kill -9 one', stream));
});
