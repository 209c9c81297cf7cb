import { eventually } from '../support/eventually';
import { logRecords, ServiceProcess, startService } from '../support/service';
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

it('SIGTERM mid-stream: finishes and commits what it holds, exits 0 within 10 s, loses nothing', async () => {
  const stream = await prepareStream(20_000, 3);
  const producing = streamIn(stream, 5_000);
  const first = await startService(serviceEnv(stream, { LOG_LEVEL: 'info' }));
  let second: ServiceProcess | null = null;
  let tookMs = 0;
  try {
    await eventually(
      async () =>
        expect(await occurrenceCount(stream)).toBeGreaterThan(stream.alertWorthy.size / 4),
      { timeoutMs: 120_000 },
    );
    const signalled = Date.now();
    const code = await first.stop('SIGTERM');
    tookMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    expect(logRecords(first).map((l) => l.msg)).toContain('shutting down');

    await producing;
    // No offset committed ahead of its occurrence at the moment the first instance left.
    expect(await lostBehindCommit(stream)).toEqual([]);
    second = await startService(serviceEnv(stream));
    await waitForCompletion(stream);
  } finally {
    await producing.catch(() => undefined);
    await first.stop();
    await second?.stop();
  }
  expectNoneLostNoneCountedTwice(
    await verify(`graceful shutdown: SIGTERM, exit 0 in ${tookMs} ms`, stream),
  );
});
