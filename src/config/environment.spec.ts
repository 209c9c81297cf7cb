import { InvalidConfigError, validateEnvironment } from './environment';

describe(validateEnvironment.name, () => {
  it('fills every default from an empty environment', () => {
    expect(validateEnvironment({})).toMatchObject({
      KAFKA_BROKERS: '127.0.0.1:9092',
      KAFKA_GROUP_ID: 'stacklens-consumer-group',
      KAFKA_TOPIC: 'pos-logs',
      KAFKA_DLQ_TOPIC: 'pos-logs.dlq',
      HTTP_PORT: 3000,
      RUN_MIGRATIONS: true,
    });
  });

  it('converts numbers and booleans from strings', () => {
    const env = validateEnvironment({
      HTTP_PORT: '8080',
      RUN_MIGRATIONS: 'false',
      KAFKA_BROKERS: 'a:1,b:2',
    });
    expect([env.HTTP_PORT, env.RUN_MIGRATIONS, env.KAFKA_BROKERS]).toEqual([
      8080,
      false,
      'a:1,b:2',
    ]);
  });

  it.each([
    ['KAFKA_BROKERS', 'localhost'],
    ['HTTP_PORT', '70000'],
    ['RUN_MIGRATIONS', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_URL', 'mysql://root:pw@db/x'],
  ])('names %s when it is malformed, without echoing the value', (name, value) => {
    try {
      validateEnvironment({ [name]: value });
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidConfigError);
      expect((err as Error).message).toContain(name);
      expect((err as Error).message).not.toContain(value);
    }
  });
});
