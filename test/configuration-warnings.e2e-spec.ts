import { closeClients } from './support/clients';
import { eventually } from './support/eventually';
import { createTopics } from './support/kafka';
import { logRecords, startService } from './support/service';

afterAll(closeClients);

const SASL_PASSWORD = 'sasl-pa55word-do-not-print';

describe('configuration warnings and refusals', () => {
  it('warns about a misspelled setting, suggesting the one it was probably meant to be', async () => {
    const { topic, dlq, group } = await createTopics(1);
    const service = await startService({
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      KAFKA_BROKER: 'typo-host.example:9092',
    });
    try {
      const warning = await eventually(() => {
        const found = logRecords(service).find((l) => l.msg === 'unknown setting ignored');
        expect(found).toBeDefined();
        return found!;
      });
      expect(warning).toMatchObject({
        level: 'warn',
        variable: 'KAFKA_BROKER',
        did_you_mean: 'KAFKA_BROKERS',
      });
      // A warning, not a refusal: the service carries on with its (correct) KAFKA_BROKERS.
      await service.waitReady();
      expect(service.lines.join('\n')).not.toContain('typo-host.example');
    } finally {
      await service.stop();
    }
  });

  it('refuses SASL plain over a plaintext connection, naming the variable and not the password', async () => {
    const service = await startService({
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'stacklens',
      KAFKA_SASL_PASSWORD: SASL_PASSWORD,
      KAFKA_SSL: 'false',
    });
    expect(await service.exited).toBe(1);
    const refusal = logRecords(service).find((l) => l.msg === 'invalid configuration');
    expect(refusal).toMatchObject({
      problems: expect.arrayContaining([expect.stringMatching(/^KAFKA_SASL_MECHANISM: /)]),
    });
    expect(service.lines.join('\n')).not.toContain(SASL_PASSWORD);
  });

  it('accepts SASL plain without TLS when KAFKA_SASL_ALLOW_PLAINTEXT=true', async () => {
    const { topic, dlq, group } = await createTopics(1);
    const service = await startService({
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'stacklens',
      KAFKA_SASL_PASSWORD: SASL_PASSWORD,
      KAFKA_SSL: 'false',
      KAFKA_SASL_ALLOW_PLAINTEXT: 'true',
    });
    try {
      // Past validation, Nest builds the app (the broker may then refuse to authenticate:
      // its listener has no SASL, and that is not what this checks).
      await eventually(() =>
        expect(logRecords(service).some((l) => l.context === 'NestFactory')).toBe(true),
      );
      expect(logRecords(service).filter((l) => l.msg === 'invalid configuration')).toEqual([]);
    } finally {
      await service.stop();
    }
    expect(service.lines.join('\n')).not.toContain(SASL_PASSWORD);
  });
});
