import { closeClients } from './support/clients';
import { encode, logEvent } from './factories/log-event.factory';
import { occurrencesOfEvents, uniqueService } from './support/database';
import { eventually } from './support/eventually';
import { createTopics, produce } from './support/kafka';
import { freePort, startService } from './support/service';

/** The SASL listener and development user that scripts/kafka/kafka.sh sets up. */
const SASL_BROKER = '127.0.0.1:9094';
const USER = 'stacklens';
const PASSWORD = 'stacklens-dev-secret';

afterAll(closeClients);

describe('Kafka SASL', () => {
  it.each(['scram-sha-256', 'scram-sha-512', 'plain'])(
    'consumes over SASL %s',
    async (mechanism) => {
      const topics = await createTopics(1);
      const service = await startService({
        KAFKA_BROKERS: SASL_BROKER,
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: USER,
        KAFKA_SASL_PASSWORD: PASSWORD,
        KAFKA_SASL_ALLOW_PLAINTEXT: 'true', // the development SASL listener has no TLS
        KAFKA_TOPIC: topics.topic,
        KAFKA_DLQ_TOPIC: topics.dlq,
        KAFKA_GROUP_ID: topics.group,
      });
      try {
        await service.waitReady();
        const event = logEvent({ service: uniqueService(), error_code: 'INVALID_ORDER' });
        await produce(topics.topic, [{ key: event.request_id, value: encode(event) }]);
        await eventually(async () =>
          expect(await occurrencesOfEvents([event])).toMatchObject([
            { source_topic: topics.topic },
          ]),
        );
        expect(service.lines.join('\n')).not.toContain(PASSWORD);
      } finally {
        await service.stop();
      }
    },
  );

  it('fails fast with a clear error on bad credentials, without printing them', async () => {
    const wrong = 'wrong-pa55word-xyz';
    const service = await startService({
      KAFKA_BROKERS: SASL_BROKER,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: USER,
      KAFKA_SASL_PASSWORD: wrong,
    });
    const code = await Promise.race([
      service.exited,
      eventually(() => Promise.reject(new Error('still running')), { timeoutMs: 30_000 }),
    ]);
    expect(code).toBe(1);
    const output = service.lines.join('\n');
    expect(output).toMatch(/authentication failed/i);
    expect(output).not.toContain(wrong);
  });
});

describe('secrets', () => {
  it('never prints the database password, even while failing to connect', async () => {
    const secret = 'db-s3cret-pw';
    const closedPort = await freePort();
    const service = await startService({
      DATABASE_URL: `postgres://stacklens:${secret}@127.0.0.1:${closedPort}/stacklens`,
    });
    expect(await service.exited).toBe(1);
    const output = service.lines.join('\n');
    expect(output).toMatch(/ECONNREFUSED|connect/i);
    expect(output).not.toContain(secret);
  });
});
