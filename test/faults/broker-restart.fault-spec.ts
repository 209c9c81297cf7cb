import { eventually } from '../support/eventually';
import { kafkaScript } from '../support/infra';
import { closeKafka } from '../support/kafka';
import { startService } from '../support/service';
import {
  occurrenceCount,
  closeClients,
  expectNoneLostNoneCountedTwice,
  prepareStream,
  serviceEnv,
  streamIn,
  verify,
  waitForCompletion,
} from './scenario';

afterAll(closeClients);

it('the Kafka broker restarts mid-stream: the service reconnects by itself', async () => {
  const stream = await prepareStream(10_000, 3);
  const half = stream.messages.length / 2;
  await streamIn(stream, 5_000, { to: half });
  await closeKafka(); // the test's own clients; they reconnect after the restart
  const service = await startService(serviceEnv(stream));
  try {
    await service.waitReady();
    await eventually(async () => expect(await occurrenceCount(stream)).toBeGreaterThan(500), {
      timeoutMs: 60_000,
    });
    expect(kafkaScript('stop')).toBe(true);
    expect(kafkaScript('start')).toBe(true);
    // The second half exists only after the restart: consuming it takes a reconnected consumer.
    await streamIn(stream, 5_000, { from: half });
    await waitForCompletion(stream);
    await service.waitReady();
  } finally {
    await service.stop();
  }
  expectNoneLostNoneCountedTwice(await verify('broker restart mid-stream', stream));
});
