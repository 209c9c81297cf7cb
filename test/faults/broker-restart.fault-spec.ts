import { eventually } from '../support/eventually';
import { kafkaScript } from '../support/infra';
import { closeKafka } from '../support/kafka';
import { startService } from '../support/service';
import {
  alertCount,
  closeClients,
  expectExactlyOnce,
  prepareStream,
  serviceEnv,
  streamIn,
  verify,
  waitForCompletion,
} from './scenario';

afterAll(closeClients);

it('the Kafka broker restarts mid-stream: the service reconnects by itself', async () => {
  const stream = await prepareStream(10_000, 3);
  await streamIn(stream, 5_000);
  await closeKafka(); // the test's own clients; they reconnect after the restart
  const service = await startService(serviceEnv(stream));
  try {
    await eventually(async () => expect(await alertCount(stream.topic)).toBeGreaterThan(500), {
      timeoutMs: 60_000,
    });
    expect(kafkaScript('stop')).toBe(true);
    expect(kafkaScript('start')).toBe(true);
    await waitForCompletion(stream);
    await service.waitReady();
  } finally {
    await service.stop();
  }
  expectExactlyOnce(await verify('broker restart mid-stream', stream));
});
