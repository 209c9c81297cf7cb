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

describe(`${validateEnvironment.name}: Kafka SASL without TLS`, () => {
  const sasl = (mechanism: string) => ({
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: 'stacklens',
    KAFKA_SASL_PASSWORD: 'hunter2-secret',
  });

  it('refuses plain, which would send the password in clear text', () => {
    expect(() => validateEnvironment(sasl('plain'))).toThrow(
      /KAFKA_SASL_MECHANISM: plain sends the password in clear text.*KAFKA_SASL_ALLOW_PLAINTEXT=true/,
    );
  });

  it.each([
    [
      'plain with KAFKA_SASL_ALLOW_PLAINTEXT=true',
      { ...sasl('plain'), KAFKA_SASL_ALLOW_PLAINTEXT: 'true' },
    ],
    ['plain over TLS', { ...sasl('plain'), KAFKA_SSL: 'true' }],
    ['scram-sha-256', sasl('scram-sha-256')],
    ['scram-sha-512', sasl('scram-sha-512')],
  ])('accepts %s', (_, raw) => {
    expect(validateEnvironment(raw).KAFKA_SASL_MECHANISM).toBe(raw.KAFKA_SASL_MECHANISM);
  });
});

describe(`${validateEnvironment.name}: new settings`, () => {
  it.each([
    ['PROCESSING_STALL_TIMEOUT', 'soon'],
    ['PROCESSING_STALL_TIMEOUT', '500'],
    ['PROCESSING_MAX_ATTEMPTS', '21'],
    ['ALERT_REOPEN_WINDOW', '-5m'],
    ['ALERT_OCCURRENCE_RETENTION', '12h'],
    ['ALERT_MAX_NEW_PER_MINUTE', '0'],
    ['DATABASE_QUERY_TIMEOUT_MS', '99'],
    ['API_TOKENS', 'alice:root:0123456789abcdef'],
    ['API_TOKENS', 'alice:viewer:tiny-secret'],
  ])('names %s when it is %p, without echoing the value', (name, value) => {
    try {
      validateEnvironment({ [name]: value });
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidConfigError);
      expect((err as InvalidConfigError).problems).toEqual([expect.stringMatching(`^${name}: `)]);
      expect((err as Error).message).not.toContain(value);
    }
  });

  it('names the broken API_TOKENS entries, never a token', () => {
    const tokens = ['0123456789abcdef', 'fedcba9876543210', 'tiny-secret'];
    const raw = `alice:operator:${tokens[0]},bob:admin:${tokens[1]},alice:viewer:${tokens[2]}`;
    try {
      validateEnvironment({ API_TOKENS: raw });
      throw new Error('expected a failure');
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('API_TOKENS: entry 2: role');
      expect(message).toContain('entry 3: token must be at least 16');
      expect(message).toContain('entry 3: same name as entry 1');
      for (const token of tokens) expect(message).not.toContain(token);
    }
  });
});
