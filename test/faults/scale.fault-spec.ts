import { eventually } from '../support/eventually';
import { startService } from '../support/service';
import {
  occurrenceCount,
  closeClients,
  expectNoneLostNoneCountedTwice,
  lostBehindCommit,
  prepareStream,
  serviceEnv,
  streamIn,
  verify,
  waitForCompletion,
} from './scenario';

afterAll(closeClients);

it('3 instances on 6 partitions; one leaves with SIGTERM, one dies with kill -9: nothing lost or doubled', async () => {
  const stream = await prepareStream(20_000, 6);
  const env = serviceEnv(stream);
  const fleet = await Promise.all([startService(env), startService(env), startService(env)]);
  let producing: Promise<void> = Promise.resolve();
  try {
    await Promise.all(fleet.map((s) => s.waitReady()));
    producing = streamIn(stream, 4_000);
    const third = stream.alertWorthy.size / 3;
    const reached = (n: number) =>
      eventually(async () => expect(await occurrenceCount(stream)).toBeGreaterThan(n), {
        timeoutMs: 120_000,
      });
    await reached(third);
    expect(await fleet[0].stop('SIGTERM')).toBe(0);
    await reached(2 * third);
    await fleet[1].stop('SIGKILL');
    await producing;
    await waitForCompletion(stream);
    expect(await lostBehindCommit(stream)).toEqual([]);
  } finally {
    await producing.catch(() => undefined);
    await Promise.all(fleet.map((s) => s.stop()));
  }
  expectNoneLostNoneCountedTwice(
    await verify('scale: 3 instances, SIGTERM one, kill -9 one', stream),
  );
});
