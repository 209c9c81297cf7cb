import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/eventually';
import { testDatabaseUrl } from '../support/infra';
import { logRecords, startService } from '../support/service';
import { TcpProxy } from '../support/tcp-proxy';
import {
  alertCount,
  expectExactlyOnce,
  lostBehindCommit,
  prepareStream,
  streamIn,
  verify,
  waitForCompletion,
  serviceEnv,
  closeClients,
} from './scenario';

/** The outage length is the scenario's parameter, not a wait for a condition. */
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_SECONDS ?? 30) * 1000;

afterAll(closeClients);

it('Postgres unreachable mid-stream: stays up and in its group, holds offsets, writes everything once after', async () => {
  const db = new URL(testDatabaseUrl());
  const proxy = await new TcpProxy(db.hostname, Number(db.port || 5432)).start();
  db.host = `127.0.0.1:${proxy.port}`;
  const stream = await prepareStream(10_000, 3);
  const service = await startService(
    serviceEnv(stream, {
      DATABASE_URL: db.toString(),
      DATABASE_RETRY_MAX_MS: '2000',
      READINESS_DB_TIMEOUT_MS: '500',
      LOG_LEVEL: 'info',
    }),
  );
  let producing: Promise<void> = Promise.resolve();
  try {
    await service.waitReady();
    producing = streamIn(stream, 2_000);
    await eventually(async () => expect(await alertCount(stream.topic)).toBeGreaterThan(500));

    await proxy.cut();
    const outageEnds = Date.now() + OUTAGE_MS;
    await eventually(async () => {
      const res = await fetch(service.url('/readiness'));
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ details: { kafka: { status: 'up' } } });
    });
    await producing;
    await sleep(Math.max(0, outageEnds - Date.now()));
    // Mid-outage: still alive, still a group member, and nothing committed without its alert.
    expect((await fetch(service.url('/health'))).status).toBe(200);
    expect(await (await fetch(service.url('/readiness'))).json()).toMatchObject({
      details: { kafka: { status: 'up' }, database: { status: 'down' } },
    });
    expect(await lostBehindCommit(stream)).toEqual([]);

    await proxy.restore();
    await waitForCompletion(stream);
    await eventually(async () => expect((await fetch(service.url('/readiness'))).status).toBe(200));
    const lines = logRecords(service).map((l) => String(l.msg));
    expect(lines.filter((m) => m.startsWith('alert writes failing'))).toHaveLength(1);
    expect(lines.filter((m) => m === 'alert writes recovered')).toHaveLength(1);
    expect(lines.filter((m) => m === 'kafka consumer crashed')).toHaveLength(0);
  } finally {
    await producing.catch(() => undefined);
    await service.stop();
    await proxy.stop();
  }
  expectExactlyOnce(await verify(`database outage: ${OUTAGE_MS / 1000} s mid-stream`, stream));
});
