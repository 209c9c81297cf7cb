import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { loadAppConfig } from './app-config';
import { configModuleOptions } from './config.module';
import {
  AlertsConfig,
  alertsConfig,
  apiConfig,
  databaseConfig,
  httpConfig,
  KafkaConfig,
  processingConfig,
} from './configuration';
import * as environment from './environment';

/** Each test uses its own values, so it never meets a config an earlier test left cached. */
let run = 0;
const unique = () => ({ KAFKA_CLIENT_ID: `app-config-spec-${++run}` });

describe(loadAppConfig.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('converts durations to milliseconds and retention to whole days', () => {
    const sut = loadAppConfig({
      ...unique(),
      ALERT_AUTO_RESOLVE_AFTER: '30m',
      ALERT_REOPEN_WINDOW: '0',
      ALERT_OCCURRENCE_RETENTION: '36h',
      PROCESSING_STALL_TIMEOUT: '90000',
    });
    expect(sut.alerts).toEqual<AlertsConfig>({
      maxNewPerMinute: 200,
      reopenWindowMs: 0,
      autoResolveAfterMs: 1_800_000,
      occurrenceRetentionDays: 2,
    });
    expect(sut.processing).toEqual({ stallTimeoutMs: 90_000, maxAttempts: 3 });
  });

  it('has the defaults the README documents', () => {
    const sut = loadAppConfig(unique());
    expect(sut.alerts).toEqual({
      maxNewPerMinute: 200,
      reopenWindowMs: 86_400_000,
      autoResolveAfterMs: 1_800_000,
      occurrenceRetentionDays: 14,
    });
    expect(sut.processing).toEqual({ stallTimeoutMs: 300_000, maxAttempts: 3 });
    expect(sut.api).toEqual({ tokens: [], rateLimitPerMinute: 300, sessionSecret: null });
    expect(sut.database.queryTimeoutMs).toBe(10_000);
  });

  it('reads API_TOKENS into typed tokens', () => {
    const sut = loadAppConfig({ ...unique(), API_TOKENS: 'alice:operator:0123456789abcdef' });
    expect(sut.api.tokens).toEqual([
      { name: 'alice', role: 'operator', token: '0123456789abcdef' },
    ]);
  });

  it('validates the same values once, and new values again', () => {
    const validate = jest.spyOn(environment, 'validateEnvironment');
    const raw = unique();
    const first = loadAppConfig(raw);
    expect(loadAppConfig({ ...raw })).toBe(first);
    expect(validate).toHaveBeenCalledTimes(1);

    expect(loadAppConfig({ ...raw, HTTP_PORT: '8080' }).http.port).toBe(8080);
    expect(validate).toHaveBeenCalledTimes(2);
  });
});

describe('AppConfigModule options', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = saved;
    jest.restoreAllMocks();
  });

  it('validates the environment once however many namespaces are read', async () => {
    process.env = { ...saved, ...unique(), API_TOKENS: 'bob:viewer:fedcba9876543210' };
    const validate = jest.spyOn(environment, 'validateEnvironment');

    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(configModuleOptions)],
    }).compile();
    const config = moduleRef.get(ConfigService);
    const kafka = config.getOrThrow<KafkaConfig>('kafka');
    const api = moduleRef.get<ReturnType<typeof apiConfig>>(apiConfig.KEY);
    for (const namespace of [databaseConfig, httpConfig, processingConfig, alertsConfig]) {
      expect(moduleRef.get(namespace.KEY)).toBeDefined();
    }

    expect(kafka.clientId).toBe(process.env.KAFKA_CLIENT_ID);
    expect(api.tokens.map((t) => t.name)).toEqual(['bob']);
    expect(validate).toHaveBeenCalledTimes(1);
  });

  it('fails the module on an invalid environment, naming the variable', async () => {
    process.env = { ...saved, ...unique(), PROCESSING_STALL_TIMEOUT: 'soon' };
    await expect(Promise.resolve(ConfigModule.forRoot(configModuleOptions))).rejects.toThrow(
      /PROCESSING_STALL_TIMEOUT: must be/,
    );
  });
});
