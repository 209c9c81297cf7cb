import { eventually } from '../support/eventually';
import { ServiceProcess, startService } from '../support/service';
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

it('kill -9 three times mid-stream: every event counted exactly once, every bad message dead-lettered', async () => {
  const stream = await prepareStream(20_000, 3);
  const env = serviceEnv(stream);
  const producing = streamIn(stream, 5_000);
  // Kill points: random, spread over the run, by how many occurrences are stored.
  const expected = stream.alertWorthy.size;
  const killAt = [0.2, 0.45, 0.7].map((f) => Math.floor(expected * (f + Math.random() * 0.15)));
  let service: ServiceProcess = await startService(env);
  try {
    for (const threshold of killAt) {
      // Fails at once, with its output, if an instance does not come up; a rejoin after kill -9
      // waits for the dead member's session to expire.
      await service.waitReady(120_000);
      await eventually(
        async () => expect(await occurrenceCount(stream)).toBeGreaterThanOrEqual(threshold),
        { timeoutMs: 120_000 },
      );
      await service.stop('SIGKILL');
      service = await startService(env);
    }
    await producing;
    await waitForCompletion(stream);
    expect(await lostBehindCommit(stream)).toEqual([]);
  } finally {
    await producing.catch(() => undefined);
    await service.stop();
  }
  expectNoneLostNoneCountedTwice(await verify('crash: kill -9 x3 during 20,000 events', stream));
});
